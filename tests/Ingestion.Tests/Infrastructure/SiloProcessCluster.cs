using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Ingestion.Client;
using Ingestion.Storage.PrivateServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Tests.Infrastructure;

/// <summary>
/// A cluster of real silo processes (<c>dotnet Ingestion.Silo.dll</c>, the binary <c>make cluster</c> runs) in the
/// cluster profile: Redis membership, PostgreSQL grain state, Redis reminders and streams, on loopback ports of
/// their own and a service id of their own, so a crash is a real <c>kill -9</c> and nothing is shared with other
/// tests but the servers. An Orleans client joins through Redis like an analytics app would.
/// </summary>
public sealed class SiloProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly string _logDirectory;
    private IHost? _client;

    private SiloProcessCluster(Dictionary<string, string?> settings, IReadOnlyList<SiloProcess> silos, string logDirectory)
    {
        _settings = settings;
        Silos = silos;
        _logDirectory = logDirectory;
    }

    public IReadOnlyList<SiloProcess> Silos { get; }

    /// <summary>This cluster's own <c>Ingestion:ServiceId</c> (stream queue keys and grain state are under it).</summary>
    public string ServiceId => _settings["Ingestion:ServiceId"]!;

    public IClusterClient Client => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("not started");

    /// <summary>The silo binary built beside this test assembly's configuration (the test project builds it).</summary>
    public static string SiloAssembly { get; } = FindSiloAssembly();

    /// <summary>Starts <paramref name="count"/> silo processes at once and returns when all are active members and a client has joined.</summary>
    public static async Task<SiloProcessCluster> StartAsync(IDictionary<string, string?> settings, int count = 3)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var all = new Dictionary<string, string?>(settings)
        {
            ["Ingestion:Profile"] = "cluster",
            ["Ingestion:ClusterId"] = "faults",
            ["Ingestion:ServiceId"] = "faults-" + id,
            // No fixed HTTP port: the test asks the cluster through its client, not the dashboard.
            ["Dashboard:Urls"] = "http://127.0.0.1:0",
        };
        var logDirectory = Path.Combine(Path.GetTempPath(), "ingestion-silos-" + id);
        Directory.CreateDirectory(logDirectory);
        var silos = Enumerable.Range(1, count)
            .Select(n => new SiloProcess(n, ServerProcess.FreeLoopbackPort(), ServerProcess.FreeLoopbackPort(), Path.Combine(logDirectory, $"silo{n}.log")))
            .ToList();
        var cluster = new SiloProcessCluster(all, silos, logDirectory);
        try
        {
            foreach (var silo in silos) silo.Start(all);
            await Task.WhenAll(silos.Select(s => s.Ready));
            cluster._client = await StartClientAsync(all);
            await cluster.WaitForActiveSilosAsync(count);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The silo process whose address (<c>S127.0.0.1:port:generation</c>) a grain reported.</summary>
    public SiloProcess Hosting(string siloAddress) =>
        Silos.SingleOrDefault(s => siloAddress.Contains($":{s.SiloPort}:", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"no silo process listens on the port of {siloAddress}");

    /// <summary>Starts a killed silo again on its own ports (a new generation) and waits until it is an active member.</summary>
    public async Task RestartAsync(SiloProcess silo)
    {
        silo.Start(_settings);
        await silo.Ready;
    }

    public Task WaitForActiveSilosAsync(int count, TimeSpan? timeout = null) =>
        Eventually.MatchesAsync(ActiveSilosAsync, n => n == count, $"{count} active silos", timeout ?? TimeSpan.FromSeconds(60));

    public async Task<int> ActiveSilosAsync()
    {
        try
        {
            return (await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;
        }
        catch (Exception ex) when (IngestionClient.IsTransient(ex))
        {
            return -1;
        }
    }

    /// <summary>The last lines each silo wrote, for failure messages.</summary>
    public string Logs() => string.Join("\n", Silos.Select(s => $"--- silo{s.Index} ({s.LogFile}) ---\n{s.Tail()}"));

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _client.StopAsync(stop.Token); } catch (OperationCanceledException) { }
            _client.Dispose();
        }
        foreach (var silo in Silos) silo.Kill();
        try { Directory.Delete(_logDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task<IHost> StartClientAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddIngestionClient();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static string FindSiloAssembly()
    {
        var configuration = typeof(SiloProcessCluster).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ingestion.sln")))
            {
                var path = Path.Combine(directory.FullName, "src", "Silo", "bin", configuration, "net10.0", "Ingestion.Silo.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException($"The silo is not built ({configuration}); the test project builds it through its ProjectReference.", path);
            }
        }
        throw new DirectoryNotFoundException($"No Ingestion.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>One silo process: its ports, its console (kept in a file and in memory), and a way to kill it.</summary>
public sealed class SiloProcess(int index, int siloPort, int gatewayPort, string logFile)
{
    private const int TailLines = 200;
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly Lock _fileGate = new();
    private Process? _process;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Index => index;
    public int SiloPort => siloPort;
    public int GatewayPort => gatewayPort;
    public string LogFile => logFile;

    /// <summary>Completes when the host has started (Orleans silo started and joined, web host listening).</summary>
    public Task Ready => _ready.Task.WaitAsync(TimeSpan.FromSeconds(90));

    public bool IsRunning => _process is { HasExited: false };

    internal void Start(IReadOnlyDictionary<string, string?> settings)
    {
        if (IsRunning) throw new InvalidOperationException($"silo{index} is already running");
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var directory = Path.GetDirectoryName(SiloProcessCluster.SiloAssembly)!;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SiloProcessCluster.SiloAssembly);
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(directory);
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }
        info.ArgumentList.Add($"--Ingestion:SiloPort={siloPort}");
        info.ArgumentList.Add($"--Ingestion:GatewayPort={gatewayPort}");
        // Workstation GC: three silos and the test share two cores.
        info.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        var ready = _ready;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"silo{index} exited with code {SafeExitCode(process)} before it started:\n{Tail()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: no shutdown, no deactivation, sockets left for the kernel to reset.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        process.Dispose();
        _process = null;
    }

    public string Tail() => string.Join("\n", _tail);

    private void Record(string? line)
    {
        if (line is null) return;
        if (line.Contains("Application started", StringComparison.Ordinal)) _ready.TrySetResult();
        _tail.Enqueue(line);
        while (_tail.Count > TailLines) _tail.TryDequeue(out _);
        lock (_fileGate) File.AppendAllText(logFile, line + "\n");
    }

    private static string SafeExitCode(Process process)
    {
        try { return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "?"; }
    }
}
