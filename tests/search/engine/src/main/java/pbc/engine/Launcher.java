package pbc.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.join.ParentJoinPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.percolator.PercolatorPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.script.mustache.MustachePlugin;
import org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single-node OpenSearch on 127.0.0.1 for the portal's search tests and benchmark.
 *
 * <p>The modules an OpenSearch distribution installs under {@code modules/} are given to the node as classpath
 * plugins instead, so the whole engine is the Maven artifacts listed in {@code pom.xml} and nothing else.
 *
 * <p>Usage: {@code java -cp "target/engine.jar:target/lib/*" pbc.engine.Launcher [--port N] [--home DIR] [--stop-on-eof]}.
 * With no {@code --home} the node's data lives in a new temporary folder, deleted when the node stops.
 * Once the node answers, one line {@code READY http://127.0.0.1:PORT} is printed on standard output.
 * {@code --stop-on-eof} stops the node when standard input closes, so a test run that dies leaves no engine behind.
 */
public final class Launcher {

    /** The plugins a distribution loads from {@code modules/} that the portal (and Wagtail's backend) can use. */
    static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        PainlessPlugin.class,
        MapperExtrasPlugin.class,
        ReindexPlugin.class,
        ParentJoinPlugin.class,
        PercolatorPlugin.class,
        MatrixAggregationPlugin.class,
        MustachePlugin.class
    );

    /** {@link Node}'s constructor that takes classpath plugins is protected: this is all the subclass does. */
    static final class EngineNode extends Node {
        EngineNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path home = null;
        boolean stopOnEof = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--home" -> home = Path.of(args[++i]);
                case "--stop-on-eof" -> stopOnEof = true;
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }
        boolean temporary = home == null;
        Path folder = temporary ? Files.createTempDirectory("pbc-opensearch-") : home.toAbsolutePath();
        Files.createDirectories(folder);

        Settings settings = Settings.builder()
            .put("path.home", folder.toString())
            .put("path.data", folder.resolve("data").toString())
            .put("path.logs", folder.resolve("logs").toString())
            .put("cluster.name", "pbc-search")
            .put("node.name", "pbc-search")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", Integer.toString(port))
            .put("transport.port", "0")
            // A shared machine's disk may be fuller than the default watermarks allow; tests must not turn read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // Tests and benchmarks make and drop many small indices; no replicas can ever be assigned on one node.
            .put("cluster.default_number_of_replicas", 0)
            .build();
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName("pbc-search");
        LogConfigurator.configureWithoutConfig(settings);

        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "pbc-search");
        long started = System.nanoTime();
        Node node = new EngineNode(environment, MODULES);
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException error) {
                System.err.println("stopping the node: " + error);
            } finally {
                if (temporary) {
                    delete(folder);
                }
                stopped.countDown();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "pbc-engine-shutdown"));
        node.start();

        int bound = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("READY http://127.0.0.1:" + bound + " (" + millis + " ms, home " + folder + ")");
        System.out.flush();

        if (stopOnEof) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() != -1) {
                        // anything written is ignored; only the end of the stream counts
                    }
                } catch (IOException ignored) {
                    // a broken pipe is an end too
                }
                System.exit(0);  // runs the shutdown hook
            }, "pbc-engine-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }
        stopped.await();
    }

    private static void delete(Path folder) {
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException error) {
            System.err.println("could not delete " + folder + ": " + error);
        }
    }
}
