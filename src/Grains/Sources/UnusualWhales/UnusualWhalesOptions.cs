using Ingestion.Sources.Feeds;
using Microsoft.Extensions.Options;

namespace Ingestion.Sources.UnusualWhales;

/// <summary>Configuration section <c>Sources:UnusualWhales</c> (design §4, seeds 000–002).</summary>
public sealed class UnusualWhalesOptions
{
    public const string Section = "Sources:UnusualWhales";

    public bool Enabled { get; set; } = true;

    /// <summary>Secret: from the environment (<c>Sources__UnusualWhales__Token</c>); it rides in the WebSocket URL, which is redacted everywhere.</summary>
    public string Token { get; set; } = "";

    public string WebSocketUrl { get; set; } = "wss://api.unusualwhales.com/socket";

    public string RestBaseUrl { get; set; } = "https://api.unusualwhales.com";

    /// <summary>The credential's REST budget, shared by the whole cluster.</summary>
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>UW streams around the clock; the silence watchdog only restarts quiet sockets during market hours.</summary>
    public bool RespectMarketHours { get; set; }

    /// <summary>Which WebSocket channels to join, by family; each enabled family is its own connection.</summary>
    public UnusualWhalesChannelOptions Channels { get; set; } = new();

    /// <summary>Backoff 5 s → 60 s, a socket silent for 15 s during market hours is restarted, alert after 5 failures.</summary>
    public FeedConnectionOptions Connection { get; set; } = new()
    {
        InitialBackoff = TimeSpan.FromSeconds(5),
        MaxBackoff = TimeSpan.FromSeconds(60),
        SilenceTimeout = TimeSpan.FromSeconds(15),
        AlertAfterFailures = 5,
    };

    /// <summary><see cref="WebSocketUrl"/> with the token, for connecting only: never log it (see <see cref="Redact"/>).</summary>
    public Uri SocketUri() => new UriBuilder(WebSocketUrl) { Query = "token=" + Uri.EscapeDataString(Token) }.Uri;

    /// <summary>Removes the token from any text (URLs in exception messages included).</summary>
    public string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : Token.Length == 0 ? text : text.Replace(Token, "***", StringComparison.Ordinal).Replace(Uri.EscapeDataString(Token), "***", StringComparison.Ordinal);
}

/// <summary>
/// Channel families (seed 000 §4): flow (<c>flow-alerts</c>), trades (<c>option_trades</c> and
/// <c>option_trades:&lt;T&gt;</c>), prices (<c>price:&lt;T&gt;</c>), gex (<c>gex:&lt;T&gt;</c>,
/// <c>gex_strike:&lt;T&gt;</c>, <c>gex_strike_expiry:&lt;T&gt;</c>) and news.
/// </summary>
public sealed class UnusualWhalesChannelOptions
{
    public bool FlowAlerts { get; set; } = true;

    /// <summary>The full tape (<c>option_trades</c>), filtered to the watchlist on arrival.</summary>
    public bool OptionTradesFullTape { get; set; }

    public bool OptionTradesPerTicker { get; set; } = true;

    public bool Prices { get; set; } = true;

    public bool Gex { get; set; } = true;

    public bool GexStrike { get; set; } = true;

    public bool GexStrikeExpiry { get; set; } = true;

    public bool News { get; set; } = true;
}

/// <summary>Checks <see cref="UnusualWhalesOptions"/> at start-up; every message names the key to fix.</summary>
public sealed class UnusualWhalesOptionsValidator : IValidateOptions<UnusualWhalesOptions>
{
    public ValidateOptionsResult Validate(string? name, UnusualWhalesOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            errors.Add($"{UnusualWhalesOptions.Section}:Token is required when {UnusualWhalesOptions.Section}:Enabled is true (set Sources__UnusualWhales__Token).");
        }
        if (!Uri.TryCreate(options.WebSocketUrl, UriKind.Absolute, out var socket) || (socket.Scheme != "ws" && socket.Scheme != "wss"))
        {
            errors.Add($"{UnusualWhalesOptions.Section}:WebSocketUrl must be an absolute ws:// or wss:// URL, got '{options.WebSocketUrl}'.");
        }
        if (!Uri.TryCreate(options.RestBaseUrl, UriKind.Absolute, out var rest) || (rest.Scheme != "http" && rest.Scheme != "https"))
        {
            errors.Add($"{UnusualWhalesOptions.Section}:RestBaseUrl must be an absolute http:// or https:// URL, got '{options.RestBaseUrl}'.");
        }
        if (options.RequestsPerMinute is < 1 or > 10_000)
        {
            errors.Add($"{UnusualWhalesOptions.Section}:RequestsPerMinute must be between 1 and 10000, got {options.RequestsPerMinute}.");
        }
        errors.AddRange(options.Connection.Validate($"{UnusualWhalesOptions.Section}:Connection"));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
