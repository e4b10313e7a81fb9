using RoutedEmail.Server;

var app = RoutedEmailApp.Build(args);
await app.RunAsync();
