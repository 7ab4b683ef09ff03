package io.connectx.it;

import static io.connectx.it.ConformanceScenarios.RACE_ITERATIONS;
import static io.connectx.it.ConformanceScenarios.READ_MS;
import static io.connectx.it.ConformanceScenarios.body;
import static io.connectx.it.ConformanceScenarios.getBytes;
import static io.connectx.it.ConformanceScenarios.post;
import static io.connectx.it.ConformanceScenarios.repeat;

import io.connectx.it.ConformanceScenarios.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The race scenarios of {@link ConformanceScenarios}: a reader and a writer, two writers, and a write
 * racing a read-interest trigger. Each runs at least {@link ConformanceScenarios#RACE_ITERATIONS} fresh
 * connections, every wait bounded; the server's TCP_INFO then shows whether a replay-unsafe byte rode in
 * a SYN (see {@code ConformanceIT.ServerView}).
 */
final class ConformanceRaces {
    private ConformanceRaces() {
    }

    /**
     * One thread blocks reading the answer while another writes a POST, on a fresh connection each time.
     * The writer starts when the reader is about to read, after a delay that sweeps 0 to 60 us over
     * the iterations, so that the write meets the read at every point of its way into the kernel.
     */
    static String readerAndWriter(Context c, ConformanceTrace t) throws Exception {
        return repeat(c, 2 * RACE_ITERATIONS, i -> {
            try (ConformanceConnection connection = c.open()) {
                connection.connect(c.address("ANSWER"), 0);
                CountDownLatch reading = new CountDownLatch(1);
                FutureTask<String> reader = new FutureTask<>(() -> {
                    reading.countDown();
                    return connection.readAll(READ_MS);
                });
                c.thread(reader).start();
                if (!reading.await(5, TimeUnit.SECONDS)) {
                    throw new ConformanceConnection.AppTimeout("the reader thread did not start within 5 s");
                }
                spin(i);
                connection.write(post(c.cell.id() + "~" + i));
                return body(reader.get(10, TimeUnit.SECONDS));
            }
        });
    }

    /** Busy-waits (i % 61) us: a sweep of the start of a racing thread, finer than a sleep can give. */
    private static void spin(int i) {
        long until = System.nanoTime() + (i % 61) * 1_000L;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** Two threads write at once on a fresh connection: one a GET, one a POST; then the answer is read. */
    static String twoWriters(Context c, ConformanceTrace t) throws Exception {
        return repeat(c, 2 * RACE_ITERATIONS, i -> {
            try (ConformanceConnection connection = c.open()) {
                connection.connect(c.address("TWO"), 0);
                String path = c.cell.id() + "~" + i;
                CountDownLatch writing = new CountDownLatch(1);
                FutureTask<Void> other = new FutureTask<>(() -> {
                    writing.countDown();
                    connection.write(getBytes(path));
                    return null;
                });
                c.thread(other).start();
                if (!writing.await(5, TimeUnit.SECONDS)) {
                    throw new ConformanceConnection.AppTimeout("the other writer did not start within 5 s");
                }
                spin(i);
                connection.write(post(path));
                other.get(10, TimeUnit.SECONDS);
                String answer = connection.readLine(READ_MS);
                // Which write the kernel took first is the threads' race, plain or not: the order is not compared.
                return answer.equals("got GET POST") || answer.equals("got POST GET") ? "got GET and POST" : answer;
            }
        });
    }

    /**
     * A selector application that registers read interest as soon as a connection is up (as the JDK's
     * HttpClient and Netty do) and has another thread write a POST into it about 100 ms later (99 to 102 ms,
     * swept over the connections): around the moment the agent's read-interest trigger (a 100 ms grace for a
     * destination not known to speak first) fires. Fifty connections per round, forty rounds.
     */
    static String readInterestThenWrite(Context c, ConformanceTrace t) throws Exception {
        int perRound = 50;
        Map<String, Integer> outcomes = new TreeMap<>();
        int rounds = 2 * RACE_ITERATIONS / perRound;
        for (int round = 0; round < rounds; round++) {
            try (Selector selector = Selector.open()) {
                SocketChannel[] channels = new SocketChannel[perRound];
                AtomicLongArray due = new AtomicLongArray(perRound);
                ByteArrayOutputStream[] replies = new ByteArrayOutputStream[perRound];
                boolean[] ended = new boolean[perRound];
                int roundNo = round;
                try {
                    for (int k = 0; k < perRound; k++) {
                        channels[k] = SocketChannel.open();
                        channels[k].configureBlocking(false);
                        replies[k] = new ByteArrayOutputStream();
                        boolean connected = channels[k].connect(c.address("ANSWER"));
                        channels[k].register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, k);
                        if (connected) {
                            due.set(k, System.nanoTime() + writeDelayNanos(k, roundNo));
                        }
                    }
                    Thread writer = c.thread(() -> writeWhenDue(c, channels, due, roundNo));
                    writer.start();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    int open = perRound;
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    while (open > 0 && System.nanoTime() < deadline) {
                        selector.select(100);
                        for (SelectionKey key : selector.selectedKeys()) {
                            int k = (Integer) key.attachment();
                            if (key.isConnectable()) {
                                if (channels[k].finishConnect()) {
                                    key.interestOps(SelectionKey.OP_READ);
                                    due.set(k, System.nanoTime() + writeDelayNanos(k, roundNo));
                                }
                            } else if (key.isReadable()) {
                                int n = channels[k].read(buf.clear());
                                if (n < 0) {
                                    ended[k] = true;
                                    open--;
                                    key.cancel();
                                } else {
                                    replies[k].write(buf.array(), 0, n);
                                }
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                    writer.join(5000);
                } catch (IOException e) {
                    outcomes.merge("error " + ConformanceTrace.describe(e, c.ports), 1, Integer::sum);
                } finally {
                    for (SocketChannel channel : channels) {
                        if (channel != null) {
                            channel.close();
                        }
                    }
                }
                for (int k = 0; k < perRound; k++) {
                    String outcome = ended[k] ? body(replies[k].toString(StandardCharsets.UTF_8)) : "no answer within 5 s";
                    outcomes.merge(c.normalize(outcome).replaceAll("~[0-9]+", "~i"), 1, Integer::sum);
                }
            }
        }
        return "iterations=" + rounds * perRound + " outcomes=" + outcomes;
    }

    private static long writeDelayNanos(int k, int round) {
        // 99.0 to 102.0 ms in 0.1 ms steps, each round shifted by up to 0.2 ms: thread wake-ups add the rest.
        return TimeUnit.MILLISECONDS.toNanos(100) + ((k % 31) - 10) * 100_000L + ((round % 5) - 2) * 100_000L;
    }

    /** The writer thread of {@link #readInterestThenWrite}: each POST in one write, as soon as it is due. */
    private static void writeWhenDue(Context c, SocketChannel[] channels, AtomicLongArray due, int round) {
        boolean[] written = new boolean[channels.length];
        int left = channels.length;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (left > 0 && System.nanoTime() < deadline) {
            for (int k = 0; k < channels.length; k++) {
                long at = due.get(k);
                if (written[k] || at == 0 || System.nanoTime() < at) {
                    continue;
                }
                written[k] = true;
                left--;
                ByteBuffer request = ByteBuffer.wrap(post(c.cell.id() + "~" + (round * channels.length + k)));
                try {
                    while (request.hasRemaining() && System.nanoTime() < deadline) {
                        if (channels[k].write(request) == 0) {
                            LockSupport.parkNanos(100_000);
                        }
                    }
                } catch (IOException e) {
                    c.trace.saw("write " + k + ": " + ConformanceTrace.describe(e, c.ports));
                }
            }
            LockSupport.parkNanos(100_000);
        }
    }
}
