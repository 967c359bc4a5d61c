using Ingestion.Observability;

namespace Ingestion.Silo.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>
    /// <c>/</c>: the live operator page. <c>/api/status</c>: health JSON for people and container
    /// health checks (HTTP 503 when the service is down). The Orleans Dashboard is at <c>/dashboard</c>.
    /// </summary>
    public static WebApplication MapIngestionDashboard(this WebApplication app)
    {
        var page = LoadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/api/status", async (StatusReporter reporter, CancellationToken cancellationToken) =>
        {
            var report = await reporter.BuildAsync(cancellationToken);
            return Results.Json(report, statusCode: report.Status == StatusReport.Down ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });
        return app;
    }

    private static string LoadPage()
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("dashboard/index.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
