using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>An option ticker in OCC form with the O: prefix, e.g. O:SPY251219C00590000 (protocols.md §2.2).</summary>
internal sealed partial record OccSymbol(string Ticker, string Root, DateOnly Expiry, bool IsCall, decimal Strike)
{
    /// <summary>Expiry taken as 20:00 UTC (the 16:00 New York close in summer).</summary>
    public DateTimeOffset ExpiresAt => new(Expiry.ToDateTime(new TimeOnly(20, 0)), TimeSpan.Zero);

    /// <summary>The root without an adjustment digit (SPY1 → SPY), for pricing the underlying.</summary>
    public string Underlying => Root.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') is { Length: > 0 } trimmed ? trimmed : Root;

    public static bool TryParse(string ticker, [NotNullWhen(true)] out OccSymbol? symbol)
    {
        symbol = null;
        var match = Pattern().Match(ticker);
        if (!match.Success) return false;
        if (!DateOnly.TryParseExact(match.Groups["date"].Value, "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry))
            return false;
        var strike = long.Parse(match.Groups["strike"].Value, CultureInfo.InvariantCulture) / 1000m;
        symbol = new OccSymbol(ticker, match.Groups["root"].Value, expiry, match.Groups["cp"].Value == "C", strike);
        return true;
    }

    [GeneratedRegex(@"^O:(?<root>[A-Z0-9.]+?)(?<date>\d{6})(?<cp>[CP])(?<strike>\d{8})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
