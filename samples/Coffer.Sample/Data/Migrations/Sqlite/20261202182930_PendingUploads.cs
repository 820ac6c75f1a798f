using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coffer.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PendingUploads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // No schema change: coffer_file_ledger's NextAttemptAt became a concurrency token (pending uploads are
            // settled only if no sweep has taken them over), which only the model snapshot records.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
