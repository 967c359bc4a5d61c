using System.Text.RegularExpressions;

namespace Ingestion.Sources.Polygon;

/// <summary>OCC option tickers as Polygon writes them: <c>O:</c> + root + YYMMDD + C|P + strike×1000 (8 digits).</summary>
public static partial class OccSymbol
{
    [GeneratedRegex(@"^O:(?<root>[A-Z0-9.]+?)(?<yy>\d{2})(?<mm>\d{2})(?<dd>\d{2})(?<cp>[CP])(?<strike>\d{8})$")]
    private static partial Regex Pattern();

    public static bool IsValid(string symbol) => Pattern().IsMatch(symbol);
}
