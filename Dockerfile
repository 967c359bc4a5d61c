# One image for the silo and the replay server (the compose file picks the entry point).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo -c Release -o /out/silo \
 && dotnet publish src/Replay -c Release -o /out/replay

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS silo
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/silo .
ENTRYPOINT ["dotnet", "Ingestion.Silo.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS replay
WORKDIR /app
COPY --from=build /out/replay .
ENTRYPOINT ["dotnet", "Ingestion.Replay.dll"]
