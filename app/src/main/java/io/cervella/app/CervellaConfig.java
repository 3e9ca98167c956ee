package io.cervella.app;

import io.cervella.core.config.ConfigException;
import io.cervella.core.config.DatabaseConfig;
import io.cervella.core.config.ServerConfig;
import io.cervella.core.config.TlsConfig;
import io.cervella.core.config.YamlConfigReader;
import io.cervella.inference.config.GatewaySettings;
import io.cervella.inference.config.ModelConfig;
import io.cervella.memory.config.MemoryConfig;
import io.cervella.backup.config.BackupConfig;
import io.cervella.vault.config.VaultConfig;
import io.cervella.edge.config.EdgeConfig;
import io.cervella.ops.config.OpsConfig;
import io.cervella.planner.config.PlannerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The whole YAML file: each layer owns its section's record; this one only puts them together. */
public record CervellaConfig(ServerConfig server, TlsConfig tls, DatabaseConfig database, GatewaySettings gateway,
                             List<ModelConfig> models, MemoryConfig memory, VaultConfig vault, BackupConfig backup,
                             EdgeConfig edge, OpsConfig ops, PlannerConfig planner) {
    public CervellaConfig {
        server = server == null ? ServerConfig.defaults() : server;
        tls = tls == null ? TlsConfig.defaults() : tls;
        database = database == null ? DatabaseConfig.defaults() : database;
        gateway = gateway == null ? GatewaySettings.defaults() : gateway;
        models = models == null ? List.of() : List.copyOf(models);
        memory = memory == null ? MemoryConfig.defaults() : memory;
        vault = vault == null ? VaultConfig.defaults() : vault;
        backup = backup == null ? BackupConfig.defaults() : backup;
        edge = edge == null ? EdgeConfig.defaults() : edge;
        ops = ops == null ? OpsConfig.defaults() : ops;
        planner = planner == null ? PlannerConfig.defaults() : planner;
        String chatModel = memory.chatModel();
        if (chatModel != null && models.stream().noneMatch(m -> m.name().equals(chatModel))) {
            throw new ConfigException("memory.chat_model: there is no model '" + chatModel + "' under models");
        }
    }

    public static CervellaConfig defaults() {
        return new CervellaConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The file given with --config, else DATA/cervella.yaml if it exists, else the defaults.
     */
    public static CervellaConfig load(Path explicitFile, Path dataDir) {
        if (explicitFile != null) {
            if (!Files.isRegularFile(explicitFile)) {
                throw new ConfigException(explicitFile + ": no such config file");
            }
            return YamlConfigReader.read(explicitFile, CervellaConfig.class);
        }
        Path inData = dataDir.resolve("cervella.yaml");
        if (Files.isRegularFile(inData)) {
            return YamlConfigReader.read(inData, CervellaConfig.class);
        }
        return defaults();
    }

    public CervellaConfig withServer(ServerConfig newServer) {
        return new CervellaConfig(newServer, tls, database, gateway, models, memory, vault, backup, edge, ops, planner);
    }

    public CervellaConfig withModels(List<ModelConfig> newModels) {
        return new CervellaConfig(server, tls, database, gateway, newModels, memory, vault, backup, edge, ops, planner);
    }
}
