using RoutedEmail.Web.Components.Admin;
using RoutedEmail.Web.Services;

namespace RoutedEmail.Web.Pages.Admin;

/// <summary>
/// The tenant's webhooks page. It creates, edits, enables, disables and deletes webhooks and rotates their
/// secrets. It lists one webhook's recent deliveries and every webhook's dead letters, which it can replay. A
/// secret that the server returns is shown once in a panel and dropped from the page's state when the panel closes.
/// </summary>
public sealed partial class Webhooks
{
    private AdminFrame _frame = null!;
    private List<WebhookSummary> _webhooks = [];
    private Dictionary<string, List<WebhookDelivery>> _deadLetters = new(StringComparer.Ordinal);
    private FormErrors _listErrors = FormErrors.None;
    private string? _done;
    private bool _editing;
    private WebhookSummary? _edited;
    private int _editKey;
    private ShownSecret? _shownSecret;
    private string? _deliveriesOf;
    private List<WebhookDelivery> _deliveries = [];

    private async Task LoadAsync()
    {
        _webhooks = await Api.ListWebhooksAsync();
        var deadLetters = new Dictionary<string, List<WebhookDelivery>>(StringComparer.Ordinal);
        foreach (var webhook in _webhooks)
        {
            deadLetters[webhook.Name] = await Api.ListDeadLettersAsync(webhook.Name);
        }

        _deadLetters = deadLetters;
        if (_deliveriesOf is { } name && _webhooks.All(webhook => webhook.Name != name))
        {
            CloseDeliveries();
        }
        else if (_deliveriesOf is { } shown)
        {
            _deliveries = await Api.ListDeliveriesAsync(shown);
        }
    }

    private void Edit(WebhookSummary? webhook)
    {
        _edited = webhook;
        _editing = true;
        _editKey++;
        _done = null;
    }

    /// <summary>
    /// Sends the form's PUT. A new webhook's generated secret goes to the secret panel. An own secret from the
    /// form is not shown again, because the administrator typed it.
    /// </summary>
    private async Task<FormErrors?> SaveAsync(string name, object body, bool ownSecret)
    {
        if (_edited is null && _webhooks.Any(webhook => webhook.Name == name))
        {
            return FormErrors.From(new AgentApiException("name is already used.", 400, new Dictionary<string, string[]>
            {
                ["name"] = [$"A webhook named \"{name}\" exists already. Choose another name, or use Edit in the " +
                    "list to change that webhook."],
            }), WebhookForm.Fields);
        }

        string? secret = null;
        var errors = await _frame.RunAsync(
            async () => secret = await Api.PutWebhookAsync(name, body), WebhookForm.Fields);
        if (errors is null)
        {
            _editing = false;
            _shownSecret = secret is not null && !ownSecret ? new ShownSecret(name, secret) : null;
            _done = $"Webhook {name} saved.";
            _listErrors = await _frame.RunAsync(LoadAsync, []) ?? FormErrors.None;
        }

        // The form calls this through a delegate, which re-renders only the form, so the page re-renders here.
        StateHasChanged();
        return errors;
    }

    /// <summary>Sends the webhook's PUT with the other enabled state and no secret, so the secret stays.</summary>
    private Task SetEnabledAsync(WebhookSummary webhook, bool enabled)
    {
        var body = new { url = webhook.Url, eventTypes = webhook.EventTypes, enabled };
        return ChangeAsync(() => Api.PutWebhookAsync(webhook.Name, body),
            $"Webhook {webhook.Name} {(enabled ? "enabled" : "disabled")}.");
    }

    private Task DeleteAsync(string name)
    {
        if (_shownSecret?.Webhook == name)
        {
            _shownSecret = null;
        }

        return ChangeAsync(() => Api.DeleteWebhookAsync(name), $"Webhook {name} deleted.");
    }

    private async Task RotateAsync(string name)
    {
        string? secret = null;
        _done = null;
        _listErrors = await _frame.RunAsync(async () => secret = await Api.RotateSecretAsync(name), [])
            ?? FormErrors.None;
        if (secret is not null)
        {
            _shownSecret = new ShownSecret(name, secret);
            _done = $"The secret of webhook {name} was replaced. Deliveries from now on are signed with the new " +
                "secret only, so update the receiver now.";
        }
    }

    private void CloseSecret() => _shownSecret = null;

    private async Task ShowDeliveriesAsync(string name)
    {
        _deliveriesOf = name;
        _listErrors = await _frame.RunAsync(async () => _deliveries = await Api.ListDeliveriesAsync(name), [])
            ?? FormErrors.None;
    }

    private void CloseDeliveries()
    {
        _deliveriesOf = null;
        _deliveries = [];
    }

    private Task ReplayAsync(string webhook, long deliveryId) =>
        ChangeAsync(() => Api.ReplayAsync(webhook, deliveryId),
            $"Delivery {deliveryId} of webhook {webhook} will be sent again.");

    private async Task ReplayAllAsync(string webhook)
    {
        var count = 0;
        await ChangeAsync(async () => count = await Api.ReplayDeadLettersAsync(webhook), null);
        if (!_listErrors.Any)
        {
            _done = $"{count} dead letters of webhook {webhook} will be sent again.";
        }
    }

    private async Task ChangeAsync(Func<Task> change, string? done)
    {
        _done = null;
        _listErrors = await _frame.RunAsync(async () =>
        {
            await change();
            await LoadAsync();
        }, []) ?? FormErrors.None;
        _done = _listErrors.Any ? null : done;
    }

    /// <summary>A secret that the server returned, shown until the administrator closes its panel.</summary>
    private sealed record ShownSecret(string Webhook, string Secret);
}
