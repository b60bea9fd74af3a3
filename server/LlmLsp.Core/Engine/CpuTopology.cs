namespace LlmLsp.Engine;

/// <summary>Counts physical cores: llama.cpp runs best with one thread per physical core, and more threads
/// than cores slows generation down by orders of magnitude.</summary>
public static class CpuTopology
{
    public static int PhysicalCoreCount()
    {
        // Environment.ProcessorCount already honours affinity masks and container CPU limits.
        var logical = Environment.ProcessorCount;
        var physical = CountLinuxPhysicalCores();
        return physical is > 0 ? Math.Min(physical.Value, logical) : logical;
    }

    private static int? CountLinuxPhysicalCores()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
        {
            return null;
        }
        var cores = new HashSet<(string Package, string Core)>();
        string package = "0", core = "";
        foreach (var line in File.ReadLines(CpuInfo))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                if (core.Length > 0)
                {
                    cores.Add((package, core));
                }
                core = "";
                continue;
            }
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "physical id")
            {
                package = value;
            }
            else if (key == "core id")
            {
                core = value;
            }
        }
        if (core.Length > 0)
        {
            cores.Add((package, core));
        }
        return cores.Count > 0 ? cores.Count : null;
    }
}
