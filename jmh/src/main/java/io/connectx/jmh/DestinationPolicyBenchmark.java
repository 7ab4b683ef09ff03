package io.connectx.jmh;

import io.connectx.provider.DestinationPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The policy decision taken on every connect: it must stay in nanoseconds and allocate nothing. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// The agent opens java.net to itself, which lets the policy read an IPv6 address without copying it.
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.net=ALL-UNNAMED"})
public class DestinationPolicyBenchmark {
    private DestinationPolicy policy;
    private InetAddress admittedV4;
    private InetAddress refusedV4;
    private InetAddress admittedV6;

    @Setup
    public void setUp() throws UnknownHostException {
        policy = DestinationPolicy.parse("10.0.0.0/8:443,192.168.1.7:8443,[fd00::]/8:443,*:8443");
        admittedV4 = InetAddress.getByName("10.1.2.3");
        refusedV4 = InetAddress.getByName("172.16.0.1");
        admittedV6 = InetAddress.getByName("fd00::1");
    }

    @Benchmark
    public boolean admittedIpv4() {
        return policy.admits(admittedV4, 443);
    }

    @Benchmark
    public boolean refusedIpv4() {
        return policy.admits(refusedV4, 443);
    }

    @Benchmark
    public boolean admittedIpv6() {
        return policy.admits(admittedV6, 443);
    }
}
