using Coffer.EntityFrameworkCore.Tests.Infrastructure;

namespace Coffer.EntityFrameworkCore.Tests;

// The same suite on every database and storage pair. An S3 (Ceph RGW) pair is two more fixtures in
// Infrastructure/FileFieldFixture.cs and two more classes here; see IStorageFactory.

public sealed class SqliteLocalFileFieldTests(SqliteLocalFixture fixture) : FileFieldSuite(fixture), IClassFixture<SqliteLocalFixture>;

public sealed class PostgresLocalFileFieldTests(PostgresLocalFixture fixture) : FileFieldSuite(fixture), IClassFixture<PostgresLocalFixture>;
