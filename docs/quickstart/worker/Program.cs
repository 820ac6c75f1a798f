var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddCoffer(builder.Configuration)   // storages from "Coffer" in appsettings.json, as in a web app
    .AddS3();                                       // "Backend": "S3" in a storage's settings puts it on S3 (Coffer.S3)
builder.Services.AddCofferSweeper();                // removes leftovers of unfinished uploads at start, then every Interval

using var host = builder.Build();
await host.RunAsync();
