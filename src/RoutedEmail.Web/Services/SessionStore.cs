using System.Text.Json;
using Microsoft.JSInterop;

namespace RoutedEmail.Web.Services;

/// <summary>
/// Keeps the agent's session in the tab's sessionStorage, so a reload keeps the agent signed in and closing the tab
/// removes the token.
/// </summary>
public sealed class SessionStore(IJSRuntime js, TimeProvider time)
{
    private const string Key = "routedEmail.agentSession";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The session read or saved last; null when signed out.</summary>
    public AgentSession? Current { get; private set; }

    /// <summary>Reads the stored session, dropping one that has expired.</summary>
    public async Task<AgentSession?> LoadAsync()
    {
        var text = await js.InvokeAsync<string?>("sessionStorage.getItem", Key);
        var session = string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<AgentSession>(text, Json);
        if (session is not null && session.ExpiresAt <= time.GetUtcNow())
        {
            await ClearAsync();
            return null;
        }

        Current = session;
        return session;
    }

    /// <summary>Stores a new session.</summary>
    public async Task SaveAsync(AgentSession session)
    {
        Current = session;
        await js.InvokeVoidAsync("sessionStorage.setItem", Key, JsonSerializer.Serialize(session, Json));
    }

    /// <summary>Removes the stored session.</summary>
    public async Task ClearAsync()
    {
        Current = null;
        await js.InvokeVoidAsync("sessionStorage.removeItem", Key);
    }
}
