import Foundation

/// Reads a large regular file into memory on two threads, one half each: filling fresh memory
/// costs about as much as the copy itself, and the halves share that cost between the cores.
enum FileBytes {
    /// Files from this size on are read in two halves; smaller ones are left to `Data(contentsOf:)`.
    static let parallelSize = 8 << 20

    /// The bytes of the regular file at `path`, or `nil` when it is smaller than
    /// ``parallelSize``, is not a regular file, or anything goes wrong (cannot be opened, a read
    /// fails, or the file's size changes while it is read): the caller then reads it the ordinary
    /// way, which reports any problem in its own words.
    static func readLargeRegularFile(atPath path: String) -> [UInt8]? {
        guard DenseKernels.processorCount > 1 else { return nil }
        // Checked before opening, so that a pipe is never opened here (that could wait for a
        // writer); non-blocking in case the path changes in between.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) >= parallelSize else {
            return nil
        }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(status.st_size)
        guard size >= parallelSize else { return nil }
        var complete = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            let target = SharedTarget(buffer: buffer)
            let halves = ParallelReplicates.run(count: 2, threads: 2) { half -> Bool in
                let start = half == 0 ? 0 : size / 2
                let end = half == 0 ? size / 2 : size
                return readRange(descriptor, into: target.buffer, from: start, to: end)
            }
            complete = halves.count == 2 && halves.allSatisfy { $0 }
            initializedCount = complete ? size : 0
        }
        guard complete else { return nil }
        // The file must end where its size said it would.
        var next: UInt8 = 0
        guard pread(descriptor, &next, 1, off_t(size)) == 0 else { return nil }
        return bytes
    }

    /// Reads bytes `start ..< end` of the file into the same positions of `buffer`
    /// (`end <= buffer.count`); `false` on an error or an early end of file.
    private static func readRange(
        _ descriptor: Int32, into buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, to end: Int
    ) -> Bool {
        guard let base = buffer.baseAddress, start >= 0, end <= buffer.count else { return start >= end }
        var offset = start
        while offset < end {
            let count = pread(descriptor, base + offset, end - offset, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}

/// The buffer the two halves are read into; each thread writes only its own half.
private struct SharedTarget: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<UInt8>
}
