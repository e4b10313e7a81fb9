namespace RoutedEmail.Core.Emails;

/// <summary>One key and value pair sent with a routed email request, used for screen pops.</summary>
/// <param name="Key">The attribute name, unique within its request.</param>
/// <param name="Value">The attribute value.</param>
public sealed record EmailAttribute(string Key, string Value);
