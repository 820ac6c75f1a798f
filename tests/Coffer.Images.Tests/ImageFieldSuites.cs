using Coffer.Images.Tests.Infrastructure;

namespace Coffer.Images.Tests;

// The same suite on every database and storage pair: SQLite and PostgreSQL, each with local disk and with S3 (Ceph RGW).

public sealed class SqliteLocalImageFieldTests(SqliteLocalImageFixture fixture) : ImageFieldSuite(fixture), IClassFixture<SqliteLocalImageFixture>;

public sealed class PostgresLocalImageFieldTests(PostgresLocalImageFixture fixture) : ImageFieldSuite(fixture), IClassFixture<PostgresLocalImageFixture>;

public sealed class SqliteS3ImageFieldTests(SqliteS3ImageFixture fixture) : ImageFieldSuite(fixture), IClassFixture<SqliteS3ImageFixture>;

public sealed class PostgresS3ImageFieldTests(PostgresS3ImageFixture fixture) : ImageFieldSuite(fixture), IClassFixture<PostgresS3ImageFixture>;
