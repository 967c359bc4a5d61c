using System.Globalization;
using Ingestion.Connections;
using Ingestion.Hosting;
using Ingestion.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingestion.Observability;

/// <summary>
/// The <c>ingestion:health:*</c> heartbeats of design §5 (seed 000 §7): every <c>Ingestion:HealthHeartbeatInterval</c>
/// each silo writes one hash for itself, one per connection it hosts and one per storage sink it runs, with the time
/// of the beat, backlog figures and last-success times. Each hash expires after three beats, so a component whose
/// silo died disappears and a missing key is itself the alarm. For tools that watch Redis rather than the dashboard.
/// </summary>
public sealed class HealthHeartbeat(
    IConnectionMultiplexer redis,
    IGrainFactory grains,
    ConnectionCatalog catalog,
    LocalConnections local,
    StoragePressure pressure,
    ILocalSiloDetails silo,
    IOptions<IngestionOptions> options,
    TimeProvider time,
    ILogger<HealthHeartbeat> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public const string Prefix = "ingestion:health:";
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private bool _failing;

    public static string SiloKey(string endpoint) => $"{Prefix}silo:{endpoint}";

    public static string ConnectionKey(string connection) => $"{Prefix}connection:{connection}";

    public static string SinkKey(string writer, string sink) => $"{Prefix}sink:{writer}:{sink}";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(HealthHeartbeat), ServiceLifecycleStage.Active + 1, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = BeatLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _loop;
    }

    private async Task BeatLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.HealthHeartbeatInterval, time);
        try
        {
            do
            {
                await BeatAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ttl = 3 * options.Value.HealthHeartbeatInterval;
        var hosted = local.Snapshot().ToHashSet();
        var connections = await Task.WhenAll(catalog.Entries.Where(e => hosted.Contains(e.Id)).Select(e => e.Reader(grains).GetStatusAsync().AnswerOrNullAsync(cancellationToken)));
        var siloName = silo.SiloAddress.ToString();
        var beats = new List<(string Key, HashEntry[] Fields)>
        {
            (SiloKey(silo.SiloAddress.Endpoint.ToString()),
            [
                new("at", Time(now)), new("silo", siloName), new("connections", hosted.Count),
                new("backlog", pressure.Backlog), new("behind_seconds", Number(pressure.MaxBehindSeconds)),
                new("backlogged", pressure.IsBacklogged ? 1 : 0),
            ]),
        };
        beats.AddRange(connections.OfType<ConnectionStatus>().Select(c => (ConnectionKey(c.Connection), new HashEntry[]
        {
            new("at", Time(now)), new("silo", siloName), new("state", c.State.ToString()),
            new("events_received", c.EventsReceived), new("pending_publish", c.PendingPublish), new("pending_on_disk", c.PendingOnDisk),
            new("reconnects", c.Reconnects), new("consecutive_failures", c.ConsecutiveFailures),
            new("last_message_at", c.LastMessageAt is { } last ? Time(last) : ""), new("last_error", c.LastError ?? ""),
        })));
        beats.AddRange(pressure.Sinks.Select(s => (SinkKey(s.Key.Writer, s.Key.Sink), new HashEntry[]
        {
            new("at", Time(now)), new("silo", siloName), new("in_memory", s.Value.InMemory), new("spooled", s.Value.Spooled),
            new("behind_seconds", Number(s.Value.BehindSeconds)), new("failing", s.Value.Failing ? 1 : 0),
            new("last_write_at", s.Value.LastWriteAt is { } written ? Time(written) : ""),
        })));

        try
        {
            var db = redis.GetDatabase();
            var batch = db.CreateBatch();
            var writes = beats.SelectMany(b => new Task[] { batch.HashSetAsync(b.Key, b.Fields), batch.KeyExpireAsync(b.Key, ttl) }).ToList();
            batch.Execute();
            await Task.WhenAll(writes).WaitAsync(cancellationToken);
            if (_failing)
            {
                _failing = false;
                logger.LogInformation("Health heartbeats reach Redis again");
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis down is already visible everywhere else; say it once per episode.
            if (!_failing)
            {
                _failing = true;
                logger.LogWarning("Health heartbeats cannot reach Redis: {Error}", ex.Message);
            }
        }
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
