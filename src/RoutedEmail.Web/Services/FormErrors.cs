namespace RoutedEmail.Web.Services;

/// <summary>
/// The server's rejection of a form, split for display. Each field's messages go next to that field. The rest go at
/// the top: a problem without field errors, such as a 409, and errors on fields that the form does not show.
/// </summary>
public sealed class FormErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);
    private readonly List<string> _top = [];

    private FormErrors()
    {
    }

    /// <summary>No errors.</summary>
    public static FormErrors None { get; } = new();

    /// <summary>The messages shown at the top of the form.</summary>
    public IReadOnlyList<string> Top => _top;

    /// <summary>Whether there is any message to show.</summary>
    public bool Any => _top.Count > 0 || _byField.Count > 0;

    /// <summary>
    /// Splits a rejection by the fields of the form. An error key belongs to a field when it is the field's name or
    /// starts with it followed by '[' or '.', so <c>skillQueues[0].rank</c> shows at <c>skillQueues</c>.
    /// </summary>
    /// <param name="exception">The rejection, with the problem's <c>detail</c> and field errors.</param>
    /// <param name="fields">The server's names of the fields the form shows, such as <c>offerTimeoutSeconds</c>.</param>
    public static FormErrors From(AgentApiException exception, IReadOnlyCollection<string> fields)
    {
        var errors = new FormErrors();
        if (exception.Errors.Count == 0)
        {
            errors._top.Add(exception.Message);
            return errors;
        }

        foreach (var (key, messages) in exception.Errors)
        {
            var field = fields.FirstOrDefault(name => Belongs(key, name));
            if (field is null)
            {
                errors._top.AddRange(messages);
                continue;
            }

            if (!errors._byField.TryGetValue(field, out var list))
            {
                list = [];
                errors._byField[field] = list;
            }

            list.AddRange(messages);
        }

        return errors;
    }

    /// <summary>Returns errors with a message of the browser's own, such as a network failure, at the top.</summary>
    public static FormErrors FromMessage(string message)
    {
        var errors = new FormErrors();
        errors._top.Add(message);
        return errors;
    }

    /// <summary>Returns the messages of one field; empty when it has none.</summary>
    public IReadOnlyList<string> For(string field) =>
        _byField.TryGetValue(field, out var messages) ? messages : [];

    /// <summary>Returns <c>"true"</c> for <c>aria-invalid</c> when the field has messages, or null to leave it out.</summary>
    public string? Invalid(string field) => _byField.ContainsKey(field) ? "true" : null;

    /// <summary>Returns the id of the field's message element for <c>aria-describedby</c>, or null when it has none.</summary>
    public string? DescribedBy(string field, string inputId) =>
        _byField.ContainsKey(field) ? ErrorId(inputId) : null;

    /// <summary>The id of the message element of the input <paramref name="inputId"/>.</summary>
    public static string ErrorId(string inputId) => inputId + "-error";

    private static bool Belongs(string key, string field) =>
        key == field
        || (key.Length > field.Length && key.StartsWith(field, StringComparison.Ordinal)
            && key[field.Length] is '[' or '.');
}
