// The runtime allocates and frees small buffers for every row, statement
// and event; glibc's malloc spent 14 % of `saga demo`'s CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    saga::cli::main()
}
