using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ingestion.Storage.PrivateServers;

/// <summary>Starting helper programs for the private servers, and the facts of the machine they need.</summary>
public static class ServerProcess
{
    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Runs a program to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string? runAs = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(runAs is null ? program : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            foreach (var arg in new[] { "-u", runAs, "--", program }) info.ArgumentList.Add(arg);
        }
        foreach (var arg in arguments) info.ArgumentList.Add(arg);

        using var process = Process.Start(info) ?? throw new PrivateServerException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new PrivateServerException($"{program} did not finish within {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:0} s");
        }
        var output = (await stdout) + (await stderr);
        if (process.ExitCode != 0)
        {
            throw new PrivateServerException($"{program} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {output.Trim()}");
        }
        return output;
    }

    /// <summary>Sends SIGTERM, the polite stop every server understands.</summary>
    public static void Terminate(int pid) => _ = kill(pid, 15);

    public static bool IsAlive(int pid, string name)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName == name;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

/// <summary>A private server could not be started or stopped; the message says what to do.</summary>
public sealed class PrivateServerException(string message) : Exception(message);
