using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Coffer.AspNetCore.Internal;

/// <summary>
/// The one place that turns a <see cref="DirectUpload"/> into a ticket string and back: JSON, protected (encrypted and
/// authenticated) by ASP.NET Data Protection under a purpose of its own. The expiry travels inside, so an expired ticket
/// is told apart from a forged one.
/// </summary>
internal sealed class UploadTicketCodec(IDataProtectionProvider provider)
{
    private const string Purpose = "Coffer.AspNetCore.DirectUploads.Ticket.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(DirectUpload upload)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("s", upload.Storage);
            json.WriteString("n", upload.Name);
            json.WriteString("f", upload.FileName);
            json.WriteNumber("l", upload.Length);
            json.WriteString("t", upload.ContentType);
            json.WriteNumber("m", (int)upload.Method);
            if (upload.UploadId is { } uploadId)
            {
                json.WriteString("u", uploadId);
            }

            json.WriteNumber("p", upload.PartSize);
            if (upload.LedgerEntryId is { } id)
            {
                json.WriteNumber("i", id);
            }

            if (upload.LedgerDueAt is { } due)
            {
                json.WriteNumber("d", due.Ticks);
            }

            if (upload.Owner is { } owner)
            {
                json.WriteString("o", owner);
            }

            json.WriteNumber("e", upload.ExpiresAt.ToUnixTimeMilliseconds());
            json.WriteEndObject();
        }

        return Base64Url.EncodeToString(_protector.Protect(buffer.WrittenSpan.ToArray()));
    }

    /// <summary>Reads a ticket; <see langword="null"/> when it is not one this app protected, or was changed.</summary>
    public DirectUpload? Unprotect(string ticket)
    {
        if (ticket.Length is 0 or > 8192)
        {
            return null;
        }

        try
        {
            byte[] bytes = _protector.Unprotect(Base64Url.DecodeFromChars(ticket));
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            string? Text(string key) => root.TryGetProperty(key, out var value) ? value.GetString() : null;
            long? Number(string key) => root.TryGetProperty(key, out var value) ? value.GetInt64() : null;
            string RequiredText(string key) => Text(key) ?? throw new FormatException($"The ticket has no '{key}'.");
            long RequiredNumber(string key) => Number(key) ?? throw new FormatException($"The ticket has no '{key}'.");
            return new DirectUpload(RequiredText("s"), RequiredText("n"), RequiredText("f"), RequiredNumber("l"), RequiredText("t"), (DirectUploadMethod)RequiredNumber("m"),
                Text("u"), Number("p") ?? 0, Number("i"), Number("d") is { } due ? new DateTime(due, DateTimeKind.Utc) : null, Text("o"),
                DateTimeOffset.FromUnixTimeMilliseconds(RequiredNumber("e")));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
