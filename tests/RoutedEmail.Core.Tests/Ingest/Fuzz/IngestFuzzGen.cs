using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;

namespace RoutedEmail.Core.Tests.Ingest.Fuzz;

/// <summary>One valid item of a generated batch, before it is written as JSON.</summary>
internal sealed record ItemSpec(
    string CompanyCode, string Environment, string OwnerId, string EntityId, string FromAddress, string ToAddress,
    string Subject, (string Key, string Value)[] Attributes);

/// <summary>A generated ingest case: a valid batch, the way it is written, and the mutations applied to it.</summary>
internal sealed record FuzzCase(ItemSpec[] Items, bool EscapeNonAscii, Mutation[] Mutations)
{
    public byte[] Body() => IngestFuzzGen.Apply(IngestFuzzGen.Write(Items, EscapeNonAscii), Mutations);
}

/// <summary>One mutation of a body: its kind and two random numbers that pick positions and tokens.</summary>
internal readonly record struct Mutation(int Kind, int First, int Second);

/// <summary>
/// CsCheck generators of valid ingest batches and of byte-level mutations of them. The mutations are byte flips,
/// truncation, deleted, duplicated and swapped ranges, deep nesting, and hostile tokens inserted or swapped in.
/// The tokens include wrong types, huge numbers, invalid UTF-8, lone surrogates, control and bidi characters, long
/// strings, NaN literals, a BOM, repeated and extra properties, and nulls. The server's HTTP fuzz test links this
/// file.
/// </summary>
internal static class IngestFuzzGen
{
    public const string CompanyCode = "abc-gadgets";
    public const string Environment = "prod";
    public static readonly string[] OwnerIds = ["USPartsSpanish", "Billing"];

    private static readonly string[] HostileTokens =
    [
        "null", "true", "false", "0", "-0", "1e999999", "-1e-999999", "NaN", "Infinity", "-Infinity", "0x1F", "01",
        "1.", ".5", "\"\"", "\" \"", "{}", "[]", "[", "]", "{", "}", ",", ":", "\"", "\\", "//x", "/*x*/",
        "\"\\uD800\"", "\"\\uDC00\\uD800\"", "\"\\u0000\"", "\"\\u202E\\u2066\"", "\"\u202Eevil\"", "\"\\\"", "\"\\x\"",
        "\"attributes\":", "\"entityId\":\"dup\",", "\"subject\":\"dup\",", "\"EntityId\":\"x\",",
        "\"attributes\":[{\"key\":\"k\",\"value\":\"v\"},{\"key\":\"k\",\"value\":\"v\"}],",
        "\"extra\":{\"a\":[1,2,{\"b\":null}]},", "\"attributes\":null,", "\"ownerId\":\"\\t\",",
        new string('[', 64), new string('9', 400), "\"" + new string('x', 3000) + "\"",
        "\"" + string.Concat(Enumerable.Repeat("\U0001F600", 300)) + "\"",
        string.Concat(Enumerable.Range(0, 120).Select(index => $"\"x{index}\":0,")),
    ];

    private static readonly byte[][] HostileBytes =
    [
        [0xEF, 0xBB, 0xBF], [0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xC3], [0xC3, 0x28], [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80], [0x00], [0x01], [0x1B], [0x7F], [0xE2, 0x80, 0xAE], [0x0B], [0x0C],
    ];

    private static readonly Gen<string> Printable = Gen.String[Gen.Char.AlphaNumeric, 1, 12];

    // Valid text: letters, hostile but legal characters (bidi, zero-width, BOM, controls, emoji, escapes) and
    // characters from every plane except the surrogate range. NUL is not legal: no stored text may contain it.
    private static readonly Gen<string> Piece = Gen.Frequency(
        (6, Printable),
        (1, Gen.OneOfConst("\u202E", "\u2066", "\u200B", "\uFEFF", "\U0001F600", "\t", "\n", "\u0001", "\"", "\\",
            "</script>", "\u00e9", "\u4e2d")),
        (2, Gen.Int[0x20, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> Text = Piece.Array[0, 6].Select(string.Concat);

    // Identifiers: non-empty, printable, no control characters.
    private static readonly Gen<string> Identifier = Gen.Select(Printable, Gen.OneOfConst("", "-é", "\U0001F600"),
        (text, tail) => text + tail);

    private static readonly Gen<(string, string)[]> AttributeGen = Gen.Int[0, 10].SelectMany(count =>
        Gen.Select(Identifier, Text).Array[count].Select(pairs =>
            pairs.DistinctBy(pair => pair.Item1, StringComparer.Ordinal).ToArray()));

    private static readonly Gen<ItemSpec> ItemGen = Gen.Select(
        Gen.OneOfConst(CompanyCode, "ABC-Gadgets"), Gen.OneOfConst(Environment, "PROD"), Gen.OneOfConst(OwnerIds),
        Identifier, Gen.Select(Text, Text, Text), AttributeGen,
        (company, environment, owner, entity, display, attributes) => new ItemSpec(
            company, environment, owner, entity, display.Item1, display.Item2, display.Item3, attributes));

    /// <summary>Valid batches of 1 to 8 items, written with or without escaping of non-ASCII characters.</summary>
    public static readonly Gen<(ItemSpec[] Items, bool EscapeNonAscii)> ValidBatch =
        Gen.Select(ItemGen.Array[1, 8], Gen.Bool);

    private static readonly Gen<Mutation> MutationGen = Gen.Select(
        Gen.Int[0, 9], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue],
        (kind, first, second) => new Mutation(kind, first, second));

    /// <summary>Valid batches with 0 to 4 mutations; about one case in eight stays valid.</summary>
    public static readonly Gen<FuzzCase> Cases = Gen.Select(
        ValidBatch, MutationGen.Array[Gen.Frequency((1, Gen.Const(0)), (7, Gen.Int[1, 4]))],
        (batch, mutations) => new FuzzCase(batch.Items, batch.EscapeNonAscii, mutations));

    /// <summary>Writes a batch as the JSON a CRM would send.</summary>
    public static byte[] Write(IReadOnlyList<ItemSpec> items, bool escapeNonAscii)
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Encoder = escapeNonAscii ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                WriteItem(writer, item);
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

    /// <summary>Applies the mutations in order. The numbers of a mutation pick positions and tokens.</summary>
    public static byte[] Apply(byte[] body, IEnumerable<Mutation> mutations)
    {
        var bytes = new List<byte>(body);
        foreach (var mutation in mutations)
        {
            Apply(bytes, mutation);
        }

        return [.. bytes];
    }

    private static void Apply(List<byte> bytes, Mutation mutation)
    {
        var at = Position(bytes, mutation.First);
        var length = Math.Min(bytes.Count - at, 1 + (mutation.Second % 24));
        switch (mutation.Kind)
        {
            case 0 when at < bytes.Count:
                bytes[at] ^= (byte)(1 << (mutation.Second % 8));
                break;
            case 1:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 2:
                bytes.RemoveRange(at, length);
                break;
            case 3:
                bytes.InsertRange(at, bytes.GetRange(at, length));
                break;
            case 4:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(HostileTokens[mutation.Second % HostileTokens.Length]));
                break;
            case 5:
                bytes.InsertRange(at, HostileBytes[mutation.Second % HostileBytes.Length]);
                break;
            case 6:
                // Replaces the token that starts at the position with a hostile token of another type.
                var end = at;
                while (end < bytes.Count && bytes[end] is not ((byte)',' or (byte)'}' or (byte)']'))
                {
                    end++;
                }

                bytes.RemoveRange(at, end - at);
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(HostileTokens[mutation.Second % HostileTokens.Length]));
                break;
            case 7:
                // Swaps two ranges, which reorders tokens.
                var other = Position(bytes, mutation.Second);
                var (low, high) = at <= other ? (at, other) : (other, at);
                var first = bytes.GetRange(low, Math.Min(length, high - low));
                var second = bytes.GetRange(high, Math.Min(length, bytes.Count - high));
                bytes.RemoveRange(high, second.Count);
                bytes.InsertRange(high, first);
                bytes.RemoveRange(low, first.Count);
                bytes.InsertRange(low, second);
                break;
            case 8:
                // Nests the body, or a part of it, deeply.
                var depth = 1 + (mutation.Second % 40);
                bytes.InsertRange(at, Enumerable.Repeat((byte)'[', depth));
                bytes.InsertRange(Math.Min(bytes.Count, at + depth + length), Enumerable.Repeat((byte)']', depth));
                break;
            case 9:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string(' ', mutation.Second % 5) + "\r\n\t"));
                break;
        }
    }

    private static int Position(List<byte> bytes, int random) => random % (bytes.Count + 1);

    private static void WriteItem(Utf8JsonWriter writer, ItemSpec item)
    {
        writer.WriteStartObject();
        writer.WriteString("platform", "AWS Connect");
        writer.WriteString("companyCode", item.CompanyCode);
        writer.WriteString("environment", item.Environment);
        writer.WriteString("ownerId", item.OwnerId);
        writer.WriteString("entityId", item.EntityId);
        writer.WriteString("fromAddress", item.FromAddress);
        writer.WriteString("toAddress", item.ToAddress);
        writer.WriteString("subject", item.Subject);
        writer.WriteStartArray("attributes");
        foreach (var (key, value) in item.Attributes)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
