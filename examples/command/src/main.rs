//! Prints its arguments and `GREETING`, writes a file in the working directory, and exits with
//! the number of arguments.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let greeting = std::env::var("GREETING").unwrap_or_else(|_| "hello".to_string());
    for (index, arg) in args.iter().enumerate() {
        println!("arg {index}: {arg}");
    }
    println!("{greeting} from a WASI command");
    if std::fs::write("command-output.txt", args.join(" ")).is_err() {
        eprintln!("no writable working directory");
    }
    std::process::exit(args.len() as i32);
}
