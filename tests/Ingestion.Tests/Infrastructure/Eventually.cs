namespace Ingestion.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes; the failure says what was awaited.</summary>
public static class Eventually
{
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string awaited, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last))
            {
                return last;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s waiting for {awaited}; last value: {Describe(last)}");
            }
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string awaited, TimeSpan? timeout = null) =>
        MatchesAsync(() => Task.FromResult(condition()), ok => ok, awaited, timeout);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Take(10)) + "]",
        _ => value.ToString() ?? "",
    };
}
