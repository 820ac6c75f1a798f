using Coffer.Sample.Tests.Infrastructure;

namespace Coffer.Sample.Tests;

// One app per configuration: a database and a store, each adding its settings as environment variables.

/// <summary>The embedded default: SQLite in App_Data, storages in App_Data/coffer.</summary>
public sealed class SqliteDiskApp() : SampleApp(new SqliteSampleDatabase(), new DiskSampleStorage(), SampleAppTests.Settings);

/// <summary>PostgreSQL (a fresh database on the test cluster), storages on the local disk.</summary>
public sealed class PostgresDiskApp() : SampleApp(new PostgresSampleDatabase(), new DiskSampleStorage(), SampleAppTests.Settings);

public sealed class SqliteDiskTests(SqliteDiskApp app, ITestOutputHelper output) : SampleAppTests(app, output), IClassFixture<SqliteDiskApp>;

public sealed class PostgresDiskTests(PostgresDiskApp app, ITestOutputHelper output) : SampleAppTests(app, output), IClassFixture<PostgresDiskApp>;

/// <summary>The scale-out configuration: PostgreSQL, and both storages on S3 (the Ceph RGW of scripts/s3-server.sh).</summary>
public sealed class PostgresS3App() : SampleApp(new PostgresSampleDatabase(), new S3SampleStorage(), SampleAppTests.Settings);

public sealed class PostgresS3Tests(PostgresS3App app, ITestOutputHelper output) : SampleAppTests(app, output), IClassFixture<PostgresS3App>;
