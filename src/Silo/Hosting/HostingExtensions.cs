using System.Text.Json.Serialization;

namespace Ingestion.Silo.Hosting;

public static class HostingExtensions
{
    /// <summary>Readable console logs; Orleans', Polly's and HttpClient's own chatter only from warnings up.</summary>
    public static WebApplicationBuilder AddIngestionLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.TimestampFormat = "HH:mm:ss ";
            o.SingleLine = true;
        });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Orleans' placement and every HttpClient run through Polly, which logs each attempt at Information.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        return builder;
    }

    /// <summary>The operator page and status API on <c>Dashboard:Urls</c> (default http://127.0.0.1:8080).</summary>
    public static WebApplicationBuilder AddIngestionDashboard(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseUrls(builder.Configuration["Dashboard:Urls"] ?? "http://127.0.0.1:8080");
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // Room for the connection keeper to drain every stream into storage on Ctrl-C.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(90));
        return builder;
    }
}
