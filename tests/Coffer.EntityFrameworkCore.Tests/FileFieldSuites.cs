using Coffer.EntityFrameworkCore.Tests.Infrastructure;

namespace Coffer.EntityFrameworkCore.Tests;

// The same suite on every database and storage pair: SQLite and PostgreSQL, each with local disk and with S3 (Ceph RGW).

public sealed class SqliteLocalFileFieldTests(SqliteLocalFixture fixture) : FileFieldSuite(fixture), IClassFixture<SqliteLocalFixture>;

public sealed class PostgresLocalFileFieldTests(PostgresLocalFixture fixture) : FileFieldSuite(fixture), IClassFixture<PostgresLocalFixture>;

public sealed class SqliteS3FileFieldTests(SqliteS3Fixture fixture) : FileFieldSuite(fixture), IClassFixture<SqliteS3Fixture>;

public sealed class PostgresS3FileFieldTests(PostgresS3Fixture fixture) : FileFieldSuite(fixture), IClassFixture<PostgresS3Fixture>;
