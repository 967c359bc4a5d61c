using Microsoft.Extensions.Options;

namespace Ingestion.Sources;

/// <summary>Configuration section <c>Watchlist</c>: the tickers every per-ticker channel and endpoint covers.</summary>
public sealed class WatchlistOptions
{
    public const string Section = "Watchlist";

    /// <summary>Defaults to SPY, QQQ and IWM (design §1).</summary>
    public List<string> Tickers { get; set; } = [];

    /// <summary>The configured tickers, or the defaults when none are configured; upper case, no duplicates.</summary>
    public IReadOnlyList<string> EffectiveTickers =>
        (Tickers.Count > 0 ? Tickers : ["SPY", "QQQ", "IWM"]).Select(t => t.Trim().ToUpperInvariant()).Distinct().ToList();
}

public sealed class WatchlistOptionsValidator : IValidateOptions<WatchlistOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchlistOptions options)
    {
        var bad = options.Tickers.Where(t => string.IsNullOrWhiteSpace(t) || t.Trim().Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{WatchlistOptions.Section}:Tickers has entries that are not tickers: {string.Join(", ", bad.Select(b => $"'{b}'"))}.");
    }
}
