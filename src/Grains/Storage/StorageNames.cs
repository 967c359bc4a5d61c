namespace Ingestion.Storage;

/// <summary>Names of the Orleans grain-storage providers.</summary>
public static class StorageNames
{
    /// <summary>State of instrument grains: memory locally, PostgreSQL (ADO.NET) in a cluster.</summary>
    public const string Instruments = "instruments";

    /// <summary>Explicit stream subscriptions (required by Orleans streams).</summary>
    public const string PubSub = "PubSubStore";
}
