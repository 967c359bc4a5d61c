namespace Ingestion.Replay.Polygon.Synthetic;

/// <summary>Seeds that are the same in every process (string.GetHashCode is randomised per process).</summary>
internal static class StableSeed
{
    public static int For(int seed, string text)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash ^= c;
                hash *= 16777619u;
            }
            return (int)(hash ^ ((uint)seed * 2654435761u));
        }
    }
}
