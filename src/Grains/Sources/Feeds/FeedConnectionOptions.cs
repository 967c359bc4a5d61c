namespace Ingestion.Sources.Feeds;

/// <summary>How a feed connection behaves under trouble (section <c>Sources:&lt;Source&gt;:Connection</c>).</summary>
public sealed record FeedConnectionOptions
{
    /// <summary>First reconnect delay; doubles per consecutive failure, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait after the server refuses our credentials: retrying sooner cannot help.</summary>
    public TimeSpan AuthFailureBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection that delivers nothing for this long is restarted.</summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The same for connections that carry only per-minute events, which are quiet for a minute by design.</summary>
    public TimeSpan MinuteFeedSilenceTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>WebSocket protocol ping interval (the pong must come back within the same span).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Frames larger than this are quarantined unread.</summary>
    public int MaxFrameBytes { get; set; } = 1_000_000;

    /// <summary>Consecutive failures after which the connection raises an alert.</summary>
    public int AlertAfterFailures { get; set; } = 5;

    internal IEnumerable<string> Validate(string prefix)
    {
        if (InitialBackoff <= TimeSpan.Zero) yield return $"{prefix}:InitialBackoff must be positive.";
        if (MaxBackoff < InitialBackoff) yield return $"{prefix}:MaxBackoff must be at least InitialBackoff.";
        if (AuthFailureBackoff <= TimeSpan.Zero) yield return $"{prefix}:AuthFailureBackoff must be positive.";
        if (SilenceTimeout <= TimeSpan.Zero) yield return $"{prefix}:SilenceTimeout must be positive.";
        if (MinuteFeedSilenceTimeout <= TimeSpan.FromMinutes(1)) yield return $"{prefix}:MinuteFeedSilenceTimeout must be longer than a minute.";
        if (PingInterval <= TimeSpan.Zero) yield return $"{prefix}:PingInterval must be positive.";
        if (MaxFrameBytes < 1024) yield return $"{prefix}:MaxFrameBytes must be at least 1024.";
        if (AlertAfterFailures < 1) yield return $"{prefix}:AlertAfterFailures must be at least 1.";
    }
}
