using System.Text;

namespace Coffer.S3.Tests.Presigning;

/// <summary>Object keys that break naive signers: every URL-special character, Unicode, emoji, long keys.</summary>
internal static class HostileKeys
{
    /// <summary>The characters the S3 issue lists, plus the rest of ASCII's punctuation.</summary>
    public const string Specials = " +%~'!()[]$?&=*,;:@#^{}|\\\"<>`-_.";

    private static readonly string[] Unicode = ["é", "ü", "ß", "ø", "日本", "語", "Привет", "مرحبا", "שלום", "ñ", "Ω", "€", "\u00a0", "\u200b", "한국", "ｆｕｌｌ"];

    private static readonly string[] Emoji = ["😀", "🚀", "👩‍💻", "🏳️‍🌈", "𝄞", "🇯🇵"];

    /// <summary>Hand-picked keys, one per trap.</summary>
    public static IReadOnlyList<string> Fixed { get; } =
    [
        "plain.txt",
        "private/files/report.pdf",
        "with space.txt",
        "plus+sign.txt",
        "percent%20literal.txt",
        "tilde~file.txt",
        "quote'file.txt",
        "bang!file.txt",
        "(parens).txt",
        "[brackets].txt",
        "dollar$file.txt",
        "question?mark.txt",
        "amp&ersand.txt",
        "equals=sign.txt",
        "star*file.txt",
        "comma,file.txt",
        "semi;colon.txt",
        "co:lon.txt",
        "at@sign.txt",
        "hash#file.txt",
        "back\\slash.txt",
        "all " + Specials + " in one.bin",
        "unicode/日本語/ファイル.txt",
        "emoji 😀🚀.png",
        "combining e\u0301.txt",
        "...three dots",
        "..hidden/.dotfile/x..y",
        "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p.txt",
        "http:/not-a-url/x",
        new string('k', 1000),
        string.Concat(Enumerable.Repeat("日", 341)), // 1023 UTF-8 bytes
    ];

    /// <summary><paramref name="count"/> random valid keys from <paramref name="seed"/>.</summary>
    public static List<string> Random(int count, int seed)
    {
        var random = new Random(seed);
        var keys = new List<string>(count);
        while (keys.Count < count)
        {
            int segments = random.Next(1, 5);
            var key = new StringBuilder();
            for (int s = 0; s < segments; s++)
            {
                if (s > 0)
                {
                    key.Append('/');
                }

                int length = random.Next(1, random.Next(10) == 0 ? 200 : 24);
                for (int i = 0; i < length; i++)
                {
                    int kind = random.Next(10);
                    key.Append(kind switch
                    {
                        < 4 => ((char)random.Next('a', 'z' + 1)).ToString(),
                        4 => ((char)random.Next('0', '9' + 1)).ToString(),
                        5 or 6 => Specials[random.Next(Specials.Length)].ToString(),
                        7 => Unicode[random.Next(Unicode.Length)],
                        8 => Emoji[random.Next(Emoji.Length)],
                        _ => ((char)random.Next('A', 'Z' + 1)).ToString(),
                    });
                }
            }

            string candidate = key.ToString();
            bool dotSegment = candidate.Split('/').Any(segment => segment is "." or "..");
            if (!dotSegment && Encoding.UTF8.GetByteCount(candidate) <= 1024)
            {
                keys.Add(candidate);
            }
        }

        return keys;
    }
}
