using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.Sources.Feeds;

namespace Ingestion.Tests.Polygon;

public sealed class CanonicalJsonTests
{
    [Fact]
    public void Sorts_keys_recursively_drops_whitespace_and_keeps_numbers_as_written()
    {
        using var document = JsonDocument.Parse("""{ "b": [ {"z":1, "a":2.50} ], "a": "x\u00e9", "c": null, "d": true }""");
        Assert.Equal("""{"a":"x\u00E9","b":[{"a":2.50,"z":1}],"c":null,"d":true}""", CanonicalJson.Format(document.RootElement));
    }

    [Fact]
    public void Hash_is_sha256_of_the_canonical_form()
    {
        using var document = JsonDocument.Parse("""{"b":1,"a":2}""");
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("""{"a":2,"b":1}""")), CanonicalJson.Hash(document.RootElement));
    }
}
