using RxStream.Chat.Web;

var app = ChatApp.Build(args);
await app.StartAsync();
Console.WriteLine($"RxStream chat: open {ChatApp.Address(app)} in a browser (Ctrl+C stops).");
await app.WaitForShutdownAsync();
