package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every guard and transition of a deferred socket, against {@link ScriptedKernel}, without root: the SYN
 * claim under concurrent readers, writers and the timer; failures before and after the handshake; close
 * from another thread; the connect deadline; shutdownOutput.
 */
class DeferredHandshakesTest {
    private static final InetSocketAddress DESTINATION = new InetSocketAddress(InetAddress.getLoopbackAddress(), 443);
    private static final ByteBuffer GET = ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    private final ScriptedKernel kernel = new ScriptedKernel();
    private final FastOpenStats stats = new FastOpenStats();
    private final DeferredHandshakes handshakes = new DeferredHandshakes(kernel, FirstWritePolicy.AUTO, stats);
    private final FileDescriptor fd = new FileDescriptor();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void aReadBeforeAnyWriteStartsTheHandshakeOnce() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeRead(null, fd);
        handshakes.beforeRead(null, fd);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        assertEquals(List.of("startHandshake"), kernel.take(), "the write follows the handshake the read started");
        assertEquals(1, stats.readFirstTriggers());
    }

    @Test
    void aReplaySafeFirstWriteRidesInTheSynAndNothingElseIsSent() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        assertNull(handshakes.afterWrite(fd, null));
        handshakes.beforeRead(null, fd);
        assertEquals(List.of(), kernel.take(), "the write carried the SYN; the read has nothing to start");
    }

    @Test
    void aReplayUnsafeFirstWriteStartsTheHandshakeBeforeItsBytes() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, ascii("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"));
        assertEquals(List.of("startHandshake"), kernel.take());
        assertEquals(1, stats.replayUnsafeHeld());
    }

    @Test
    void anOpaqueFirstWriteIsHeldNotCountedAsAReadFirstTrigger() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeOpaqueWrite(fd);
        assertEquals(List.of("startHandshake"), kernel.take(), "sendfile's bytes never ride: the SYN goes alone");
        assertEquals(1, stats.replayUnsafeHeld());
        assertEquals(0, stats.readFirstTriggers());
        handshakes.beforeWrite(null, fd, GET.duplicate());
        assertEquals(List.of(), kernel.take(), "a later write follows the handshake");
    }

    @Test
    void aGatheringWriteIsJudgedWhole() throws Exception {
        handshakes.track(fd, DESTINATION);
        ByteBuffer[] pipelined = {ascii("GET / HTTP/1.1\r\n\r\n"), ascii("POST / HTTP/1.1\r\n\r\n")};
        handshakes.beforeWrite(null, fd, pipelined, 0, 2);
        assertEquals(List.of("startHandshake"), kernel.take(), "a safe first buffer does not make the write safe");
    }

    @Test
    void aSecondWriterWaitsUntilTheWriteInTheSynHasReturned() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, GET.duplicate()); // rides, and holds the claim until afterWrite
        CompletableFuture<Void> post = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                handshakes.beforeWrite(null, fd, ascii("POST / HTTP/1.1\r\n\r\n"));
                post.complete(null);
            } catch (Throwable t) {
                post.completeExceptionally(t);
            }
        });
        writer.start();
        awaitBlocked(writer);
        assertTrue(!post.isDone(), "the POST must not reach the kernel before the GET that carries the SYN");
        handshakes.afterWrite(fd, null);
        post.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), kernel.take(), "the SYN is out: the POST follows it, no second trigger");
        assertEquals(0, stats.replayUnsafeHeld());
    }

    @Test
    void aReaderWaitsForAWriterThatIsClaimingTheSyn() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        Future<?> read = threads.submit(() -> {
            handshakes.beforeRead(null, fd);
            return null;
        });
        read.get(10, TimeUnit.SECONDS); // claimed: the read has nothing to start and need not wait
        handshakes.afterWrite(fd, null);
        assertEquals(List.of(), kernel.take());
    }

    @Test
    void theReadInterestTimerLeavesTheSynToAWriteThatHoldsIt() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeInterest(null, fd, SelectionKey.OP_READ);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        Thread.sleep(DeferredHandshakes.INTEREST_GRACE_MILLIS * 3); // the timer has run by now (not a timing assertion)
        handshakes.afterWrite(fd, null);
        assertEquals(List.of(), kernel.take(), "no zero-length send overtook the write");
    }

    @Test
    void aRefusalBeforeTheHandshakeIsWhatConnectWouldHaveThrownAndStaysSo() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        handshakes.afterWrite(fd, null);
        Throwable first = handshakes.afterRead(fd, 0, new SocketException("Connection refused"));
        assertInstanceOf(ConnectException.class, first);
        assertEquals("Connection refused", first.getMessage());
        Throwable again = handshakes.afterWrite(fd, new SocketException("Broken pipe"));
        assertInstanceOf(ConnectException.class, again);
        assertThrows(ConnectException.class, () -> handshakes.beforeRead(null, fd), "a later read fails as well");
        assertEquals(List.of("neverConnected"), kernel.take(), "the kernel was asked once");
    }

    @Test
    void anUnreachableHostIsNoRouteToHostException() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeRead(null, fd);
        assertInstanceOf(NoRouteToHostException.class, handshakes.afterRead(fd, 0, new SocketException("No route to host")));
    }

    /** macOS's C library words ETIMEDOUT "Operation timed out", and the JDK's connect there throws it so. */
    @Test
    void aHandshakeTimedOutInMacOsWordsIsTheConnectExceptionConnectWouldHaveThrown() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeRead(null, fd);
        Throwable mapped = handshakes.afterRead(fd, 0, new SocketException("Operation timed out"));
        assertInstanceOf(ConnectException.class, mapped);
        assertEquals("Operation timed out", mapped.getMessage());
    }

    @Test
    void aFailureAfterTheHandshakeCompletedPassesThroughUnchanged() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        handshakes.afterWrite(fd, null);
        kernel.neverConnected = false; // the SYN-ACK came: the request was delivered
        SocketException timedOut = new SocketException("Connection timed out");
        assertSame(timedOut, handshakes.afterRead(fd, 0, timedOut), "never a ConnectException once the request was sent");
        assertEquals(0, stats.errors());
    }

    @Test
    void aCloseFromAnotherThreadEndsEveryUseOfTheDescriptor() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeInterest(null, fd, SelectionKey.OP_READ);
        handshakes.closed(fd);
        Thread.sleep(DeferredHandshakes.INTEREST_GRACE_MILLIS * 3);
        handshakes.beforeRead(null, fd);
        assertNull(handshakes.afterRead(fd, 0, null));
        assertEquals(List.of(), kernel.take(), "neither the timer nor a read touched the closed descriptor");
    }

    @Test
    void theConnectTimeoutFailsTheSocketAndTheBlockedIoThrowsConnectTimedOut() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.afterTimedConnect(fd, TimeUnit.MILLISECONDS.toNanos(50));
        handshakes.beforeWrite(null, fd, GET.duplicate());
        handshakes.afterWrite(fd, null);
        awaitCall("abortHandshake");
        Throwable woken = handshakes.afterRead(fd, 0, new SocketException("Connection reset"));
        assertInstanceOf(SocketTimeoutException.class, woken);
        assertEquals("Connect timed out", woken.getMessage());
        assertThrows(SocketTimeoutException.class, () -> handshakes.beforeWrite(null, fd, GET.duplicate()));
    }

    @Test
    void aHandshakeDoneBeforeItsDeadlineIsLeftAlone() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.afterTimedConnect(fd, TimeUnit.MILLISECONDS.toNanos(50));
        kernel.pending = false; // the SYN-ACK will have come before the deadline
        handshakes.beforeRead(null, fd);
        awaitCall("handshakePending"); // the deadline checked the kernel
        Thread.sleep(50);
        assertTrue(!kernel.take().contains("abortHandshake"));
        assertNull(handshakes.afterRead(fd, 5, null));
    }

    @Test
    void shutdownOutputParksUntilTheHandshakeIsDone() throws Exception {
        handshakes.track(fd, DESTINATION);
        int[] parks = {0};
        handshakes.parkWith((socket, parked, nanos) -> {
            if (++parks[0] == 3) {
                kernel.pending = false;
            }
        });
        handshakes.beforeShutdownOutput(new Object(), fd);
        assertEquals(3, parks[0]);
        assertEquals("startHandshake", kernel.take().get(0));
    }

    @Test
    void aSocketTrackedToLearnItsDestinationNeedsNoGuard() throws Exception {
        handshakes.trackUntilUsed(fd, DESTINATION);
        handshakes.beforeRead(null, fd);
        assertEquals(List.of(), kernel.take());
        assertTrue(handshakes.hasConnected(DESTINATION));
    }

    @Test
    void anEmptyWriteDecidesNothingAndTheNextWriteStillRides() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeWrite(null, fd, ByteBuffer.allocate(0));
        handshakes.beforeWrite(null, fd, new byte[4], 2, 0);
        handshakes.beforeWrite(null, fd, new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(0)}, 0, 2);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        assertEquals(List.of(), kernel.take(), "the GET rode in the SYN: no handshake was started for it");
        assertEquals(0, stats.replayUnsafeHeld());
    }

    @Test
    void readInterestStartsNothingWithoutOpReadOrOnceAWriteClaimedTheSyn() throws Exception {
        handshakes.track(fd, DESTINATION);
        handshakes.beforeInterest(null, fd, SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
        handshakes.beforeWrite(null, fd, GET.duplicate());
        handshakes.afterWrite(fd, null);
        handshakes.beforeInterest(null, fd, SelectionKey.OP_READ);
        Thread.sleep(DeferredHandshakes.INTEREST_GRACE_MILLIS * 3); // a timer would have run by now (not a timing assertion)
        assertEquals(List.of(), kernel.take());
    }

    @Test
    void theSynDataProofCountsAnAcknowledgementOrAFallback() throws Exception {
        stats.wantProof();
        FileDescriptor other = new FileDescriptor();
        for (FileDescriptor socket : List.of(fd, other)) {
            kernel.synDataAcked = socket == fd;
            handshakes.track(socket, DESTINATION);
            handshakes.beforeWrite(null, socket, GET.duplicate());
            handshakes.afterWrite(socket, null);
            assertNull(handshakes.afterRead(socket, 12, null)); // the response: the handshake is done
            assertFalse(handshakes.isTracked(socket));
        }
        assertEquals(1, stats.synDataAcked());
        assertEquals(1, stats.fallbacks());
    }

    @Test
    void aDeadlineThePlatformCannotEnforceLeavesTheSocketToItsHandshake() throws Exception {
        kernel.abortable = false;
        handshakes.track(fd, DESTINATION);
        handshakes.afterTimedConnect(fd, TimeUnit.MILLISECONDS.toNanos(20));
        handshakes.beforeRead(null, fd);
        awaitCall("abortHandshake");
        kernel.pending = false; // the SYN-ACK, late
        assertNull(handshakes.afterRead(fd, 3, null), "no timeout thrown for a handshake that was never ended");
    }

    @Test
    void aTimeoutIsKeptOnlyForADeferredSocketAndOnlyWhenPositive() throws Exception {
        handshakes.trackUntilUsed(fd, DESTINATION);
        handshakes.afterTimedConnect(fd, TimeUnit.MILLISECONDS.toNanos(1));
        FileDescriptor zero = new FileDescriptor();
        handshakes.track(zero, DESTINATION);
        handshakes.afterTimedConnect(zero, 0);
        handshakes.beforeRead(null, zero);
        Thread.sleep(50);
        assertEquals(List.of("startHandshake"), kernel.take(), "no deadline was started");
    }

    @Test
    void whatIsNotAnIoFailureOrIsAConnectFailureAlreadyPassesUnchanged() {
        handshakes.track(fd, DESTINATION);
        IllegalStateException bug = new IllegalStateException("not I/O");
        assertSame(bug, handshakes.afterRead(fd, 0, bug));
        java.net.ConnectException refused = new java.net.ConnectException("Connection refused");
        assertSame(refused, handshakes.afterWrite(fd, refused));
        SocketException elsewhere = new SocketException("Connection refused");
        assertSame(elsewhere, handshakes.afterWrite(new FileDescriptor(), elsewhere), "an untracked socket's own");
    }

    @Test
    void closingForgetsTheSocketAndRecordsItsOutcome() {
        handshakes.track(fd, DESTINATION);
        handshakes.closed(fd);
        assertFalse(handshakes.isTracked(fd));
        handshakes.closed(fd); // twice, as a close racing the Cleaner may
        assertEquals(List.of(), kernel.take(), "an unobserved outcome asks the kernel nothing");
    }

    @Test
    void atTheBoundClosedDescriptorsAreDroppedToMakeRoom() {
        for (int i = 0; i < DeferredHandshakes.MAX_TRACKED; i++) {
            handshakes.track(new FileDescriptor(), DESTINATION); // never opened: not valid(), as a closed one
        }
        handshakes.track(FileDescriptor.in, DESTINATION);
        assertTrue(handshakes.hasRoom());
        assertTrue(handshakes.isTracked(FileDescriptor.in), "a valid descriptor stays tracked");
        assertFalse(handshakes.isTracked(fd));
    }

    private void awaitCall(String call) throws InterruptedException {
        for (int i = 0; i < 500 && !kernel.calls.contains(call); i++) {
            Thread.sleep(10);
        }
        assertTrue(kernel.calls.contains(call), call + " never came: " + kernel.calls);
    }

    private static void awaitBlocked(Thread t) throws InterruptedException {
        for (int i = 0; i < 500 && t.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(10);
        }
        assertEquals(Thread.State.WAITING, t.getState());
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
