using System.Globalization;
using Coffer.Signing;
using Microsoft.Extensions.Time.Testing;

namespace Coffer.Tests.Signing;

public class UrlSignerTests
{
    private static readonly UrlSigningKey OldKey = new() { Id = "old", Secret = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()) };
    private static readonly UrlSigningKey NewKey = new() { Id = "new", Secret = Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray()) };
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2024, 5, 17, 12, 0, 0, TimeSpan.Zero));

    private UrlSigner Signer(params UrlSigningKey[] keys) => new("private", keys, _clock);

    private static SignedUrlQuery Parse(string query)
    {
        var values = query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        return SignedUrlQuery.From(k => values.GetValueOrDefault(k));
    }

    private string Sign(UrlSigner signer, string name = "files/a.pdf", string? download = null, string? type = null) =>
        signer.CreateQuery(name, _clock.GetUtcNow().AddMinutes(10), download, type);

    [Fact]
    public void A_fresh_signature_is_valid()
    {
        var signer = Signer(NewKey);
        Assert.Equal(UrlSignatureStatus.Valid, signer.Verify("files/a.pdf", Parse(Sign(signer, download: "ä \"q\".pdf", type: "application/pdf"))));
    }

    [Fact]
    public void A_signature_past_its_expiry_is_expired()
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Equal(UrlSignatureStatus.Expired, signer.Verify("files/a.pdf", query));
    }

    [Fact]
    public void Another_name_is_tampered() =>
        Assert.Equal(UrlSignatureStatus.Tampered, Signer(NewKey).Verify("files/b.pdf", Parse(Sign(Signer(NewKey)))));

    [Fact]
    public void A_later_expiry_is_tampered()
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        Assert.Equal(UrlSignatureStatus.Tampered, signer.Verify("files/a.pdf", query with { Expires = (long.Parse(query.Expires!, CultureInfo.InvariantCulture) + 3600).ToString(CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public void A_changed_download_name_is_tampered()
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer, download: "a.pdf"));
        Assert.Equal(UrlSignatureStatus.Tampered, signer.Verify("files/a.pdf", query with { DownloadFileName = "evil.html" }));
    }

    [Fact]
    public void An_added_content_type_is_tampered()
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        Assert.Equal(UrlSignatureStatus.Tampered, signer.Verify("files/a.pdf", query with { ContentType = "text/html" }));
    }

    [Fact]
    public void A_url_of_another_storage_is_tampered()
    {
        var other = new UrlSigner("public", [NewKey], _clock);
        Assert.Equal(UrlSignatureStatus.Tampered, Signer(NewKey).Verify("files/a.pdf", Parse(Sign(other))));
    }

    [Fact]
    public void A_signature_by_a_key_the_app_does_not_have_is_unknown_key() =>
        Assert.Equal(UrlSignatureStatus.UnknownKey, Signer(NewKey).Verify("files/a.pdf", Parse(Sign(Signer(OldKey)))));

    [Fact]
    public void An_old_key_still_verifies_after_rotation_while_the_new_key_signs()
    {
        string oldUrl = Sign(Signer(OldKey));
        var rotated = Signer(NewKey, OldKey);
        Assert.Equal(UrlSignatureStatus.Valid, rotated.Verify("files/a.pdf", Parse(oldUrl)));
        Assert.Contains("kid=new", Sign(rotated), StringComparison.Ordinal);
    }

    [Fact]
    public void No_signature_parameters_is_missing() =>
        Assert.Equal(UrlSignatureStatus.Missing, Signer(NewKey).Verify("a", new SignedUrlQuery(null, null, null, null, null)));

    [Theory]
    [InlineData("abc", "new", "AAAA")]
    [InlineData("-5", "new", "AAAA")]
    [InlineData("1700000000", null, "AAAA")]
    [InlineData("1700000000", "new", "not base64url!")]
    [InlineData("1700000000", "new", "AAAA")]
    public void Malformed_parameters_are_malformed(string? exp, string? kid, string? sig) =>
        Assert.Equal(UrlSignatureStatus.Malformed, Signer(NewKey).Verify("a", new SignedUrlQuery(exp, kid, sig, null, null)));

    [Theory]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData(" ")]
    [InlineData("\n")]
    [InlineData("\t")]
    public void A_signature_with_anything_added_is_malformed(string added)
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = query.Signature + added }));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = added + query.Signature }));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = query.Signature![..20] + added + query.Signature[20..] }));
    }

    [Fact]
    public void A_signature_spelled_with_the_unused_bits_of_its_last_character_set_is_malformed()
    {
        // 32 bytes take 43 base64url characters; the last one carries 4 bits and 2 unused ones. A decoder that ignores
        // them reads the same bytes, so a URL could be respelled without the key.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        string sig = query.Signature!;
        Assert.Equal(43, sig.Length);

        foreach (int unused in new[] { 1, 2, 3 })
        {
            string respelled = sig[..^1] + Alphabet[Alphabet.IndexOf(sig[^1], StringComparison.Ordinal) ^ unused];
            Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = respelled }));
        }
    }

    [Fact]
    public void A_signature_in_the_standard_base64_alphabet_or_a_shorter_one_is_malformed()
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        string standard = Convert.ToBase64String(Convert.FromBase64String(query.Signature!.Replace('-', '+').Replace('_', '/') + "="));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = standard }));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = query.Signature[..^1] }));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Signature = query.Signature + "A" }));
    }

    [Theory]
    [InlineData("0{0}")]
    [InlineData("00{0}")]
    [InlineData("+{0}")]
    [InlineData(" {0}")]
    [InlineData("{0} ")]
    [InlineData("{0}.0")]
    [InlineData("{0},{0}")]
    [InlineData("\u0661{0}")] // ARABIC-INDIC DIGIT ONE: a digit, but not an ASCII one
    public void An_expiry_not_written_as_the_signer_writes_it_is_malformed(string format)
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        string expires = string.Format(CultureInfo.InvariantCulture, format, query.Expires);
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { Expires = expires }));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" new")]
    [InlineData("new ")]
    [InlineData("new\n")]
    [InlineData("ne w")]
    [InlineData("new,new")]
    public void A_key_id_that_no_key_could_have_is_malformed(string kid)
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        Assert.Equal(UrlSignatureStatus.Malformed, signer.Verify("files/a.pdf", query with { KeyId = kid }));
    }

    [Fact]
    public void A_well_formed_key_id_of_no_key_is_still_unknown_key()
    {
        var signer = Signer(NewKey);
        var query = Parse(Sign(signer));
        Assert.Equal(UrlSignatureStatus.UnknownKey, signer.Verify("files/a.pdf", query with { KeyId = "2024-05.a_b" }));
    }

    [Fact]
    public void A_signer_refuses_two_keys_with_one_id() =>
        Assert.Throws<ArgumentException>(() => Signer(NewKey, new UrlSigningKey { Id = "new", Secret = OldKey.Secret }));

    [Fact]
    public void Generated_keys_are_accepted_and_distinct()
    {
        var a = UrlSigningKey.Generate("a");
        var b = UrlSigningKey.Generate("b");
        Assert.Null(UrlSigner.Check(a));
        Assert.NotEqual(a.Secret, b.Secret);
    }
}
