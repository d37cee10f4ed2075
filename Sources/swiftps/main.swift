print("swiftps")
