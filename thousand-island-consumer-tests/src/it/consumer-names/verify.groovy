// Surefire ran NamesApplicationTests, a default @SpringBootTest: every test passed, none skipped.
File report = new File(basedir, 'target/surefire-reports/TEST-com.example.names.NamesApplicationTests.xml')
assert report.isFile() : "no Surefire report at ${report}"
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 4 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0 && suite.@skipped.toInteger() == 0 : "NamesApplicationTests: ${suite.@tests} tests, ${suite.@failures} failures, ${suite.@errors} errors, ${suite.@skipped} skipped"
String log = new File(basedir, 'build.log').text
assert log.contains("Thousand Island server 'echo-server' started") : 'no start-up line for echo-server'
assert log.contains("Thousand Island server 'upper-handler' started") : 'no start-up line for upper-handler'
assert !log.contains("server 'echoserver'") : 'the environment variable invented a second server'
return true
