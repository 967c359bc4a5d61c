using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Ingestion.Client;

public static class IngestionClientExtensions
{
    /// <summary>Per-call time-out: every snapshot is answered from memory in milliseconds, so 5 s means the silo is gone.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An Orleans client for the cluster the configuration names: the local silo's gateway
    /// (<c>Ingestion:Profile</c> = local) or every silo in Redis membership (cluster). Calls time out
    /// after <see cref="ResponseTimeout"/> rather than Orleans' 30 s and <see cref="IngestionClient"/> retries
    /// them, so a dead silo costs seconds, not half a minute.
    /// </summary>
    public static IHostApplicationBuilder AddIngestionClient(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Ingestion");
        var clusterId = section["ClusterId"] ?? "ingestion";
        var serviceId = section["ServiceId"] ?? "market-data";
        builder.UseOrleansClient(client =>
        {
            if (section["Profile"] == "cluster")
            {
                var redis = builder.Configuration.GetConnectionString("Redis")
                    ?? throw new InvalidOperationException("ConnectionStrings:Redis is required to join a cluster (Ingestion:Profile = cluster).");
                client.UseRedisClustering(redis);
                client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = serviceId; });
            }
            else
            {
                client.UseLocalhostClustering(int.Parse(section["GatewayPort"] ?? "30000"), serviceId, clusterId);
            }
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
        });
        builder.Services.AddSingleton<IngestionClient>();
        return builder;
    }
}
