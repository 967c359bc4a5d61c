namespace Ingestion.Observability;

/// <summary>How status pages and heartbeats ask grains: briefly, and a grain that cannot answer is absent, not an error.</summary>
public static class StatusCalls
{
    /// <summary>How long one status question may take before its grain counts as not answering.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The answer of <paramref name="call"/>, or null when it times out, is cancelled, or its grain is unreachable.</summary>
    public static async Task<T?> AnswerOrNullAsync<T>(this Task<T> call, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await call.WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException or OperationCanceledException)
        {
            return null;
        }
    }
}
