using Microsoft.Extensions.Options;

namespace Ingestion.Hosting;

/// <summary>Configuration section <c>Ingestion</c>: how this silo runs.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary><c>local</c>: one silo, localhost clustering, memory storage. <c>cluster</c>: Redis membership, PostgreSQL grain state.</summary>
    public string Profile { get; set; } = Profiles.Local;

    /// <summary>
    /// Stream provider: <c>memory</c> (fast, lost with its silo) or <c>redis</c> (durable Redis Streams,
    /// at-least-once). Empty = by profile: memory for <c>local</c>, redis for <c>cluster</c>.
    /// </summary>
    public string Streams { get; set; } = "";

    /// <summary>The stream provider in force, after the profile's default.</summary>
    public string EffectiveStreams => Streams is { Length: > 0 } chosen ? chosen : Profile == Profiles.Cluster ? StreamKinds.Redis : StreamKinds.Memory;

    /// <summary>Where private servers keep their data when no connection strings are configured.</summary>
    public string DataDirectory { get; set; } = ".data";

    public string ClusterId { get; set; } = "ingestion";

    public string ServiceId { get; set; } = "market-data";

    /// <summary>Host name other silos and clients reach this silo by (cluster profile in containers); empty = loopback.</summary>
    public string AdvertisedHost { get; set; } = "";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>How often each silo touches every connection grain, so a lost one comes back within seconds.</summary>
    public TimeSpan ConnectionKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often each silo writes its <c>ingestion:health:*</c> heartbeats to Redis (they expire after three).</summary>
    public TimeSpan HealthHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait, at shutdown, for streams to deliver what the connections read.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public static class StreamKinds
    {
        public const string Memory = "memory";
        public const string Redis = "redis";
    }

    public static class Profiles
    {
        public const string Local = "local";
        public const string Cluster = "cluster";
    }
}

public sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var errors = new List<string>();
        if (options.Profile is not (IngestionOptions.Profiles.Local or IngestionOptions.Profiles.Cluster))
        {
            errors.Add($"{IngestionOptions.Section}:Profile must be 'local' or 'cluster', got '{options.Profile}'.");
        }
        if (options.Streams is not ("" or IngestionOptions.StreamKinds.Memory or IngestionOptions.StreamKinds.Redis))
        {
            errors.Add($"{IngestionOptions.Section}:Streams must be 'memory', 'redis' or empty (by profile), got '{options.Streams}'.");
        }
        if (options.SiloPort is < 1 or > 65535) errors.Add($"{IngestionOptions.Section}:SiloPort must be a TCP port, got {options.SiloPort}.");
        if (options.GatewayPort is < 1 or > 65535) errors.Add($"{IngestionOptions.Section}:GatewayPort must be a TCP port, got {options.GatewayPort}.");
        if (options.ConnectionKeepAliveInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{IngestionOptions.Section}:ConnectionKeepAliveInterval must be at least 00:00:00.100.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
