fn main() {
    println!("credboard: under construction");
}
