using Ingestion.Hosting;
using Ingestion.Silo.Dashboard;
using Ingestion.Silo.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

if (args is [PrivateServersCommand.Name, .. var serverArgs])
{
    return await PrivateServersCommand.RunAsync(serverArgs);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddIngestionLogging();
try
{
    await using var environment = await LocalEnvironment.PrepareAsync(builder);
    builder.UseOrleans(silo => silo.UseIngestionClustering(builder.Configuration).AddIngestion(builder.Configuration));
    builder.AddIngestionDashboard();

    var app = builder.Build();
    app.MapIngestionDashboard();
    app.MapOrleansDashboard(routePrefix: "/dashboard");
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine("Configuration error:");
    foreach (var failure in ex.Failures)
    {
        Console.Error.WriteLine($"  - {failure}");
    }
    return 2;
}
catch (Ingestion.Storage.PrivateServers.PrivateServerException ex)
{
    Console.Error.WriteLine($"Could not start a private server: {ex.Message}");
    return 3;
}
