using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Ingestion.Replay.UnusualWhales;

/// <summary>The channel families of the UW socket (protocols.md §1.1, channel table).</summary>
internal enum UwChannelKind
{
    FlowAlerts,
    OptionTrades,
    OptionTradesTicker,
    Gex,
    GexStrike,
    GexStrikeExpiry,
    Price,
    News,
    LitTrades,
    OffLitTrades,
}

/// <summary>One joinable channel, by its full name as the client sends it (e.g. "gex_strike:SPY", "flow-alerts").</summary>
internal sealed partial record UwChannel(string Name, UwChannelKind Kind, string? Ticker)
{
    public const string FlowAlerts = "flow-alerts";
    public const string OptionTrades = "option_trades";
    public const string News = "news";
    public const string LitTrades = "lit_trades";
    public const string OffLitTrades = "off_lit_trades";

    /// <summary>
    /// lit_trades and off_lit_trades exist (changelog 2025.09.23) but their payload is not documented, so the replay
    /// acks the join and sends nothing on them rather than invent a shape a parser might come to depend on.
    /// </summary>
    public bool IsSilent => Kind is UwChannelKind.LitTrades or UwChannelKind.OffLitTrades;

    public static bool TryParse(string name, [NotNullWhen(true)] out UwChannel? channel, [NotNullWhen(false)] out string? error)
    {
        channel = name switch
        {
            FlowAlerts => new UwChannel(name, UwChannelKind.FlowAlerts, null),
            OptionTrades => new UwChannel(name, UwChannelKind.OptionTrades, null),
            News => new UwChannel(name, UwChannelKind.News, null),
            LitTrades => new UwChannel(name, UwChannelKind.LitTrades, null),
            OffLitTrades => new UwChannel(name, UwChannelKind.OffLitTrades, null),
            _ => null,
        };
        if (channel is not null)
        {
            error = null;
            return true;
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        UwChannelKind? kind = colon <= 0 ? null : name[..colon] switch
        {
            OptionTrades => UwChannelKind.OptionTradesTicker,
            "gex" => UwChannelKind.Gex,
            "gex_strike" => UwChannelKind.GexStrike,
            "gex_strike_expiry" => UwChannelKind.GexStrikeExpiry,
            "price" => UwChannelKind.Price,
            _ => null,
        };
        if (kind is null)
        {
            error = $"unknown channel: {name}";
            return false;
        }

        var ticker = name[(colon + 1)..];
        if (!IsTicker(ticker))
        {
            error = $"invalid ticker in channel: {name}";
            return false;
        }

        channel = new UwChannel(name, kind.Value, ticker);
        error = null;
        return true;
    }

    /// <summary>An upper-case stock or ETF symbol such as SPY, BRK.B or BF-B (not MSFT12, protocols.md §1.2's 422 example).</summary>
    public static bool IsTicker(string text) => TickerPattern().IsMatch(text);

    [GeneratedRegex(@"^[A-Z]{1,6}([.\-][A-Z]{1,2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TickerPattern();
}
