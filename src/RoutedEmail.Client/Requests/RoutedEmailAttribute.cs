namespace RoutedEmail.Client;

/// <summary>
/// A key and value passed with a routed email to the agent's CRM plugins, such as a customer id for a screen
/// pop.
/// </summary>
public sealed record RoutedEmailAttribute
{
    /// <summary>Creates an attribute.</summary>
    /// <param name="key">The key: not empty, at most 255 characters.</param>
    /// <param name="value">The value: at most 255 characters, may be empty.</param>
    /// <exception cref="ArgumentException">The key is empty, or the key or value is too long.</exception>
    public RoutedEmailAttribute(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Length == 0)
        {
            throw new ArgumentException("The attribute key is empty. Set a non-empty key.", nameof(key));
        }

        RequestLimits.CheckLength(key, RequestLimits.MaxAttributeLength, "attribute key");
        RequestLimits.CheckLength(value, RequestLimits.MaxAttributeLength, $"value of attribute '{key}'");
        Key = key;
        Value = value;
    }

    /// <summary>The attribute's key, unique within its request (case-sensitive).</summary>
    public string Key { get; }

    /// <summary>The attribute's value.</summary>
    public string Value { get; }
}
