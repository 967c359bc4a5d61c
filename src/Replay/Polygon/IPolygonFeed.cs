namespace Ingestion.Replay.Polygon;

/// <summary>Where data frames come from: the synthetic generator or a recorded dataset.</summary>
internal interface IPolygonFeed
{
    /// <summary>Server-wide work (the recorded player's loop); runs until <paramref name="ct"/> is cancelled.</summary>
    Task RunAsync(CancellationToken ct);

    /// <summary>Per-socket work after auth (the synthetic pump); runs until cancelled or a send fails.</summary>
    Task RunConnectionAsync(PolygonConnection connection, CancellationToken ct);

    /// <summary>A socket authenticated or changed its topics.</summary>
    void SubscriptionsChanged(PolygonConnection connection);
}
