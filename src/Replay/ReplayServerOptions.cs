namespace Ingestion.Replay;

/// <summary>How the replay server listens, paces and fills its feeds. Bound from the "Replay" section by the tool.</summary>
public sealed class ReplayServerOptions
{
    public const string SectionName = "Replay";

    /// <summary>The value of <see cref="Dataset"/> that selects the generated feed instead of a recorded file.</summary>
    public const string SyntheticDataset = "synthetic";

    /// <summary>Kestrel URLs, separated by ';'. Port 0 picks a free port.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:0";

    /// <summary>1 = real time, N = N times faster, 0 = as fast as the client reads.</summary>
    public double Speed { get; set; } = 1;

    /// <summary>
    /// "synthetic", or the path of a recorded NDJSON file (relative to the current directory, then the app base directory).
    /// Each line names the socket path its frame goes to: Polygon market paths, or "/socket" for Unusual Whales
    /// (Datasets/polygon-sample.ndjson, Datasets/uw-sample.ndjson).
    /// </summary>
    public string Dataset { get; set; } = SyntheticDataset;

    /// <summary>The only key that authenticates.</summary>
    public string ApiKey { get; set; } = "replay-key";

    /// <summary>
    /// Synthetic feed: bars one Polygon topic (ev + symbol) ever produces, and events one Unusual Whales channel
    /// sends per ticker (the firehoses: per ticker of <see cref="UnusualWhalesTickers"/>); null = unlimited.
    /// </summary>
    public long? MaxEventsPerSymbol { get; set; }

    /// <summary>Synthetic clock start; default = now truncated to the second (minute for AM bars).</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Most events in one frame when catching up or at Speed 0 (never fewer than one per subscribed topic).</summary>
    public int MaxEventsPerFrame { get; set; } = 200;

    /// <summary>Seed of the synthetic random walks.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>How long a socket may stay unauthenticated before auth_timeout and close.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Unusual Whales: the only token accepted on /socket?token= and in the REST Authorization header.</summary>
    public string UnusualWhalesToken { get; set; } = "replay-token";

    /// <summary>Unusual Whales REST: successful requests per token per minute (fixed 60 s window); more get 429.</summary>
    public int UnusualWhalesRequestsPerMinute { get; set; } = 120;

    /// <summary>Unusual Whales REST: successful requests per token per day (resets 8 PM US/Eastern); more get 429.</summary>
    public long UnusualWhalesDailyRequestLimit { get; set; } = 1_000_000;

    /// <summary>Unusual Whales synthetic feed: tickers of the firehose channels (option_trades, flow-alerts) and of news, comma-separated.</summary>
    public string UnusualWhalesTickers { get; set; } = "SPY,QQQ,IWM,AAPL,TSLA,NVDA";

    /// <summary>A copy, so that changes a caller makes after start do not reach the running server.</summary>
    internal ReplayServerOptions Snapshot() => (ReplayServerOptions)MemberwiseClone();

    internal IReadOnlyList<string> UnusualWhalesTickerList =>
        UnusualWhalesTickers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal bool IsSynthetic => string.Equals(Dataset, SyntheticDataset, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these values; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Urls)) errors.Add("Urls is required.");
        if (!double.IsFinite(Speed) || Speed < 0) errors.Add("Speed must be 0 or a positive number.");
        if (string.IsNullOrWhiteSpace(Dataset)) errors.Add("Dataset must be 'synthetic' or a file path.");
        if (string.IsNullOrEmpty(ApiKey)) errors.Add("ApiKey is required.");
        if (MaxEventsPerSymbol < 0) errors.Add("MaxEventsPerSymbol cannot be negative.");
        if (MaxEventsPerFrame < 1) errors.Add("MaxEventsPerFrame must be at least 1.");
        if (AuthTimeout <= TimeSpan.Zero) errors.Add("AuthTimeout must be positive.");
        if (string.IsNullOrEmpty(UnusualWhalesToken)) errors.Add("UnusualWhalesToken is required.");
        if (UnusualWhalesRequestsPerMinute < 1) errors.Add("UnusualWhalesRequestsPerMinute must be at least 1.");
        if (UnusualWhalesDailyRequestLimit < 1) errors.Add("UnusualWhalesDailyRequestLimit must be at least 1.");
        if (UnusualWhalesTickers is null || UnusualWhalesTickerList.Count == 0 || !UnusualWhalesTickerList.All(UnusualWhales.UwChannel.IsTicker))
            errors.Add("UnusualWhalesTickers must be a comma-separated list of tickers such as SPY,QQQ.");
        return errors;
    }
}
