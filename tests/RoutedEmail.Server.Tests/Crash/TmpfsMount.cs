using System.Diagnostics;
using System.Globalization;
using RoutedEmail.Aws.Tests.Infrastructure;

namespace RoutedEmail.Server.Tests.Crash;

/// <summary>
/// A small tmpfs mounted on a new temporary directory, so a test can fill a data directory to the last byte without
/// touching the machine's disks. Disposing unmounts it and deletes the directory. Mounting needs root, or
/// CAP_SYS_ADMIN, on Linux; <see cref="TmpfsFactAttribute"/> skips a test where that is missing.
/// </summary>
internal sealed class TmpfsMount : IAsyncDisposable
{
    private const string FillerName = "filler";

    private TmpfsMount(string path) => Path = path;

    /// <summary>The mounted directory.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="sizeBytes"/> bytes on a new temporary directory.</summary>
    /// <exception cref="InvalidOperationException">mount failed; the message contains its output.</exception>
    public static async Task<TmpfsMount> CreateAsync(long sizeBytes)
    {
        var path = Directory.CreateTempSubdirectory("routed-email-tmpfs-").FullName;
        var size = sizeBytes.ToString(CultureInfo.InvariantCulture);
        var result = await ExternalProcess.RunAsync(
            "mount", ["-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", path]);
        if (result.ExitCode != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(
                $"mount -t tmpfs on {path} failed with exit code {result.ExitCode}: {result.StandardError}");
        }

        return new TmpfsMount(path);
    }

    /// <summary>
    /// Writes a file in the mount until the file system is full, and returns the bytes written.
    /// </summary>
    public long Fill()
    {
        var buffer = new byte[64 * 1024];
        long written = 0;
        try
        {
            using var filler = new FileStream(
                System.IO.Path.Combine(Path, FillerName), FileMode.Create, FileAccess.Write, FileShare.None, 1);
            while (true)
            {
                filler.Write(buffer);
                written += buffer.Length;
            }
        }
        catch (IOException)
        {
            // ENOSPC: the file system is full. Disposing the stream while its last write failed also ends here.
            return written;
        }
    }

    /// <summary>Deletes the file that <see cref="Fill"/> wrote, so the space returns.</summary>
    public void Free() => File.Delete(System.IO.Path.Combine(Path, FillerName));

    /// <summary>
    /// Unmounts the tmpfs, lazily if a process still has files open in it, and deletes the directory.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var result = await ExternalProcess.RunAsync("umount", [Path]);
        if (result.ExitCode != 0)
        {
            result = await ExternalProcess.RunAsync("umount", ["--lazy", Path]);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"umount of {Path} failed with exit code {result.ExitCode}: {result.StandardError}. Unmount it " +
                "by hand with umount.");
        }

        Directory.Delete(Path, recursive: true);
    }

    /// <summary>
    /// Returns null when this process may mount a tmpfs, found by mounting and unmounting a tiny one, or else the
    /// reason it may not.
    /// </summary>
    internal static string? ProbeMountPermission()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs mounts exist only on Linux.";
        }

        var path = Directory.CreateTempSubdirectory("routed-email-tmpfs-probe-").FullName;
        try
        {
            var (exitCode, error) = Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", path);
            if (exitCode != 0)
            {
                return $"mount -t tmpfs is not permitted here (exit code {exitCode}: {error.Trim()}); run the " +
                    "tests as root, or with CAP_SYS_ADMIN, to run it.";
            }

            Run("umount", path);
            return null;
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    private static (int ExitCode, string Error) Run(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (-1, $"{fileName} could not be started: {exception.Message}");
        }
    }
}

/// <summary>
/// A test that mounts a tmpfs. It is skipped, with the reason shown, where this process may not mount one, such as
/// a test run that is not root.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> SkipReason = new(TmpfsMount.ProbeMountPermission);

    public TmpfsFactAttribute()
    {
        if (SkipReason.Value is { } reason)
        {
            Skip = reason;
        }
    }
}
