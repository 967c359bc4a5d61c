using System.Globalization;

namespace Ingestion.Replay.UnusualWhales;

/// <summary>How UW writes values: decimals as strings with the vendor's precision, UUID ids, dates.</summary>
internal static class UwFormat
{
    /// <summary>A price or premium with exactly two decimals: "0.07", "7.00".</summary>
    public static string Cents(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>A strike as UW writes it on the socket: "355", "2.5".</summary>
    public static string Strike(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A full-precision double as a string, like the greeks: "0.03977270195386351".</summary>
    public static string Full(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A large figure with two decimals: "6933079028.42".</summary>
    public static string Money(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string IsoUtc(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A random (version 4) UUID drawn from <paramref name="random"/>, so seeded runs repeat their ids.</summary>
    public static string Uuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    /// <summary>OCC-style option symbol without spaces or prefix: TSLA250516C00355000 (strike × 1000, eight digits).</summary>
    public static string OptionSymbol(string ticker, DateOnly expiry, bool isCall, decimal strike) =>
        string.Create(CultureInfo.InvariantCulture, $"{ticker}{expiry:yyMMdd}{(isCall ? 'C' : 'P')}{(long)(strike * 1000):D8}");

    /// <summary>The strike grid UW lists for an underlying around <paramref name="price"/>.</summary>
    public static decimal StrikeStep(decimal price) => price switch
    {
        < 25 => 0.5m,
        < 300 => 1m,
        < 1000 => 5m,
        _ => 10m,
    };

    /// <summary>The next <paramref name="count"/> Friday expiries on or after <paramref name="from"/>.</summary>
    public static IReadOnlyList<DateOnly> Fridays(DateOnly from, int count)
    {
        var first = from.AddDays(((int)DayOfWeek.Friday - (int)from.DayOfWeek + 7) % 7);
        return [.. Enumerable.Range(0, count).Select(i => first.AddDays(7 * i))];
    }
}
