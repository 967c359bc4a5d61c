using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ingestion.Storage.PrivateServers;

/// <summary>A <c>redis-server</c> of our own on a free loopback port, stopped with the host.</summary>
public sealed class PrivateRedis : IAsyncDisposable
{
    private int _disposed;
    private Process _process;
    private readonly string _server;
    private readonly string _directory;
    private readonly bool _durable;
    private readonly string _pidFile;
    private readonly ILogger _logger;

    private PrivateRedis(Process process, string server, string directory, bool durable, int port, string pidFile, ILogger logger)
    {
        _process = process;
        _server = server;
        _directory = directory;
        _durable = durable;
        _pidFile = pidFile;
        _logger = logger;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <param name="durable">True keeps an append-only file in <paramref name="directory"/> (make run); false keeps nothing (tests).</param>
    public static async Task<PrivateRedis> StartAsync(string directory, bool durable, ILogger logger)
    {
        var server = FindServer();
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        var pidFile = Path.Combine(directory, "redis.pid");
        StopLeftover(pidFile);

        var port = ServerProcess.FreeLoopbackPort();
        var process = await LaunchAsync(server, directory, durable, port, pidFile);
        logger.LogInformation("Private Redis listening on 127.0.0.1:{Port} (data in {Directory})", port, directory);
        return new PrivateRedis(process, server, directory, durable, port, pidFile, logger);
    }

    /// <summary>Stops the server (SIGTERM: a durable one writes its append-only file first), a fault for tests; <see cref="RestartAsync"/> brings it back.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        ServerProcess.Terminate(_process.Id);
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the stopped server again on the same port and directory.</summary>
    public async Task RestartAsync()
    {
        var old = _process;
        _process = await LaunchAsync(_server, _directory, _durable, Port, _pidFile);
        old.Dispose();
    }

    private static async Task<Process> LaunchAsync(string server, string directory, bool durable, int port, string pidFile)
    {
        // Its own session (setsid): a Ctrl-C in the terminal must reach the silo, which then drains into Redis
        // before stopping it, and not kill Redis first.
        var info = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        if (info.FileName != server)
        {
            info.ArgumentList.Add(server);
        }
        foreach (var arg in new[]
        {
            "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--daemonize", "no", "--pidfile", pidFile,
            "--save", "", "--appendonly", durable ? "yes" : "no", "--maxmemory-policy", "noeviction",
            "--logfile", Path.Combine(directory, "redis.log"),
        })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new PrivateServerException($"could not start {server}");
        await File.WriteAllTextAsync(pidFile, process.Id.ToString());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await PingAsync(port))
        {
            if (process.HasExited)
            {
                throw new PrivateServerException($"redis-server exited with {process.ExitCode}; see {Path.Combine(directory, "redis.log")}");
            }
            if (DateTime.UtcNow > deadline)
            {
                process.Kill();
                throw new PrivateServerException($"redis-server did not answer PING on 127.0.0.1:{port} within 30 s");
            }
            await Task.Delay(50);
        }
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            ServerProcess.Terminate(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        if (File.Exists(_pidFile))
        {
            File.Delete(_pidFile);
        }
        _process.Dispose();
        _logger.LogInformation("Private Redis stopped");
    }

    private static async Task<bool> PingAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void StopLeftover(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && ServerProcess.IsAlive(pid, "redis-server"))
        {
            ServerProcess.Terminate(pid);
        }
    }

    private static string FindServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new PrivateServerException(
            "redis-server was not found on PATH. Install it with: apt-get install redis-server  (or set ConnectionStrings:Redis to an existing server).");
    }
}
