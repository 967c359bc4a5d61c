using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingestion.Replay;

/// <summary>Runs a <see cref="ReplayServer"/> for the lifetime of the tool's host.</summary>
internal sealed class ReplayHostedService(IOptions<ReplayServerOptions> options, ILoggerFactory loggerFactory, ILogger<ReplayHostedService> logger)
    : IHostedService
{
    private ReplayServer? server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        server = await ReplayServer.StartAsync(settings, loggerFactory, cancellationToken);
        logger.LogInformation("Replay server listening on {HttpRoot} (Polygon WebSocket {PolygonRoot}/stocks|options|indices, Unusual Whales WebSocket {UwSocket}?token=, UW REST {UwRest}/api/…, dataset {Dataset}, speed {Speed})",
            server.HttpRoot.ToString().TrimEnd('/'), server.PolygonWebSocketRoot.ToString().TrimEnd('/'), server.UnusualWhalesWebSocketUrl,
            server.UnusualWhalesRestRoot.ToString().TrimEnd('/'), settings.Dataset, settings.Speed);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (server is null) return;
        await server.DisposeAsync();
        logger.LogInformation("Replay server stopped");
    }
}

internal sealed class ReplayServerOptionsValidator : IValidateOptions<ReplayServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplayServerOptions options) =>
        options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}

internal static class ReplayHostingExtensions
{
    /// <summary>Binds <see cref="ReplayServerOptions"/> from the "Replay" section (command line --Replay:Speed=0, env Replay__Speed) and runs the server.</summary>
    public static IServiceCollection AddReplayServer(this IServiceCollection services)
    {
        services.AddOptions<ReplayServerOptions>().BindConfiguration(ReplayServerOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplayServerOptions>, ReplayServerOptionsValidator>();
        services.AddHostedService<ReplayHostedService>();
        return services;
    }
}
