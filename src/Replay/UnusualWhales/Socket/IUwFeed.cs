namespace Ingestion.Replay.UnusualWhales.Socket;

/// <summary>Where UW data frames come from: the synthetic generator or a recorded dataset.</summary>
internal interface IUwFeed
{
    /// <summary>Server-wide work (the recorded player's loop); runs until <paramref name="ct"/> is cancelled.</summary>
    Task RunAsync(CancellationToken ct);

    /// <summary>Per-socket work (the synthetic pump); runs until cancelled or a send fails.</summary>
    Task RunConnectionAsync(UwConnection connection, CancellationToken ct);

    /// <summary>A socket joined or left a channel.</summary>
    void ChannelsChanged(UwConnection connection);
}
